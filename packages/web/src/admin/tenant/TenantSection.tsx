/**
 * @module admin/tenant/TenantSection
 * The admin center's tenant pages (routes under `/admin/tenant`): Remote Help settings,
 * domains and conditional access (`settings.manage`) and compliance policies
 * (`policies.manage`). Each page is shown only with its permission; the server checks every
 * call again.
 */
import { Navigate, Route, Routes } from 'react-router';
import { useMe } from '../../common/meContext';
import { Guarded } from '../common/Guarded';
import { ConditionalAccessSection } from '../conditionalAccess/ConditionalAccessSection';
import { CompliancePolicies } from './CompliancePolicies';
import { CompliancePolicyEditor } from './CompliancePolicyEditor';
import { DomainsPage } from './DomainsPage';
import { RemoteHelpSettings } from './RemoteHelpSettings';

/** See the module description. */
export function TenantSection() {
  const { state } = useMe();
  const canSettings = state.status === 'signedIn' && state.me.permissions.includes('settings.manage');
  return (
    <Routes>
      <Route index element={<Navigate to={canSettings ? 'remote-help' : 'compliance'} replace />} />
      <Route
        path="remote-help"
        element={
          <Guarded permissions={['settings.manage']}>
            <RemoteHelpSettings />
          </Guarded>
        }
      />
      <Route
        path="domains"
        element={
          <Guarded permissions={['settings.manage']}>
            <DomainsPage />
          </Guarded>
        }
      />
      <Route
        path="compliance"
        element={
          <Guarded permissions={['policies.manage']}>
            <CompliancePolicies />
          </Guarded>
        }
      />
      <Route
        path="compliance/new"
        element={
          <Guarded permissions={['policies.manage']}>
            <CompliancePolicyEditor />
          </Guarded>
        }
      />
      <Route
        path="compliance/:policyId"
        element={
          <Guarded permissions={['policies.manage']}>
            <CompliancePolicyEditor />
          </Guarded>
        }
      />
      <Route
        path="conditional-access/*"
        element={
          <Guarded permissions={['settings.manage']}>
            <ConditionalAccessSection />
          </Guarded>
        }
      />
      <Route path="*" element={<Navigate to="/admin/tenant" replace />} />
    </Routes>
  );
}
