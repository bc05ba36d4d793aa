/**
 * @module admin/common/Guarded
 * A page or section of the admin center shown only when the signed-in person's role grants
 * one of `permissions`; otherwise it says why. The server checks every call again.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Text } from '@fluentui/react-components';
import type { Permission } from '@remote-help/protocol';
import { Panel } from '../../common/Panel';
import { useMe } from '../../common/meContext';
import { hasAny } from '../sections';

/** See the module description. */
export function Guarded({ permissions, children }: { permissions: readonly Permission[]; children: ReactNode }) {
  const { t } = useTranslation();
  const { state } = useMe();
  const granted = state.status === 'signedIn' ? state.me.permissions : [];
  if (!hasAny(granted, permissions)) {
    return (
      <Panel title={t('admin.denied.sectionTitle')} data-testid="admin-section-denied">
        <Text>{t('admin.denied.sectionBody')}</Text>
      </Panel>
    );
  }
  return <>{children}</>;
}
