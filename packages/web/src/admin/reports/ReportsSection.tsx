/**
 * @module admin/reports/ReportsSection
 * The admin center's reports pages (routes under `/admin/reports`): Monitor, Remote Help
 * sessions and the sign-in log (`reports.read`) and the audit log (`audit.read`). Each page is shown only with its
 * permission; the server checks every call again.
 */
import { Navigate, Route, Routes } from 'react-router';
import { useMe } from '../../common/meContext';
import { Guarded } from '../common/Guarded';
import { AuditPage } from './AuditPage';
import { MonitorPage } from './MonitorPage';
import { SessionsPage } from './SessionsPage';
import { SignInsPage } from './SignInsPage';

/** See the module description. */
export function ReportsSection() {
  const { state } = useMe();
  const canReports = state.status === 'signedIn' && state.me.permissions.includes('reports.read');
  return (
    <Routes>
      <Route index element={<Navigate to={canReports ? 'monitor' : 'audit'} replace />} />
      <Route
        path="monitor"
        element={
          <Guarded permissions={['reports.read']}>
            <MonitorPage />
          </Guarded>
        }
      />
      <Route
        path="sessions"
        element={
          <Guarded permissions={['reports.read']}>
            <SessionsPage />
          </Guarded>
        }
      />
      <Route
        path="audit"
        element={
          <Guarded permissions={['audit.read']}>
            <AuditPage />
          </Guarded>
        }
      />
      <Route
        path="sign-ins"
        element={
          <Guarded permissions={['reports.read']}>
            <SignInsPage />
          </Guarded>
        }
      />
      <Route path="*" element={<Navigate to="/admin/reports" replace />} />
    </Routes>
  );
}
