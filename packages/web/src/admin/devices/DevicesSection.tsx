/**
 * @module admin/devices/DevicesSection
 * The admin center's devices pages (routes under `/admin/devices`): All devices (index),
 * Enrollment tokens (`enrollment`, `devices.manage`) and one device (`:id`).
 */
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { Text } from '@fluentui/react-components';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { DeviceListPage } from './DeviceListPage';
import { DevicePage } from './DevicePage';
import { EnrollmentTokensPage } from './EnrollmentTokensPage';

/** Enrollment tokens need `devices.manage`; anyone else reads why. */
function EnrollmentRoute() {
  const { t } = useTranslation();
  const { state } = useMe();
  if (state.status === 'signedIn' && !state.me.permissions.includes('devices.manage')) {
    return (
      <Panel title={t('admin.devices.tokens.title')} data-testid="enrollment-denied">
        <Text>{t('admin.devices.tokens.denied')}</Text>
      </Panel>
    );
  }
  return <EnrollmentTokensPage />;
}

/** See the module description. */
export function DevicesSection() {
  return (
    <Routes>
      <Route index element={<DeviceListPage />} />
      <Route path="enrollment" element={<EnrollmentRoute />} />
      <Route path=":id" element={<DevicePage />} />
      <Route path="*" element={<Navigate to="/admin/devices" replace />} />
    </Routes>
  );
}
