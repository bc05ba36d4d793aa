/**
 * @module admin/conditionalAccess/ConditionalAccessSection
 * Tenant administration > Conditional access (`/admin/tenant/conditional-access`,
 * `settings.manage`): three tabs — Policies, Named locations, What if — each its own
 * address (the frame in `CaFrame`), and the policy editor (`policies/new`, `policies/:policyId`).
 */
import { Navigate, Route, Routes } from 'react-router';
import { CA_BASE } from './CaFrame';
import { CaPolicies } from './CaPolicies';
import { CaPolicyEditor } from './CaPolicyEditor';
import { NamedLocations } from './NamedLocations';
import { WhatIfPage } from './WhatIfPage';

/** See the module description; the tenant section guards it with `settings.manage`. */
export function ConditionalAccessSection() {
  return (
    <Routes>
      <Route index element={<Navigate to="policies" replace />} />
      <Route path="policies" element={<CaPolicies />} />
      <Route path="policies/new" element={<CaPolicyEditor />} />
      <Route path="policies/:policyId" element={<CaPolicyEditor />} />
      <Route path="locations" element={<NamedLocations />} />
      <Route path="what-if" element={<WhatIfPage />} />
      <Route path="*" element={<Navigate to={CA_BASE} replace />} />
    </Routes>
  );
}
