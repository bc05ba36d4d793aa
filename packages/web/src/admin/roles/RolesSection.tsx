/**
 * @module admin/roles/RolesSection
 * The admin center's roles pages (routes under `/admin/roles`): the list of roles, a role's
 * page (its permissions and assignments), the custom role editor and the assignment editor.
 */
import { Navigate, Route, Routes } from 'react-router';
import { AssignmentEditor } from './AssignmentEditor';
import { RoleDetail } from './RoleDetail';
import { RoleEditor } from './RoleEditor';
import { RoleList } from './RoleList';

/** See the module description. */
export function RolesSection() {
  return (
    <Routes>
      <Route index element={<RoleList />} />
      <Route path="new" element={<RoleEditor mode="create" />} />
      <Route path=":roleId" element={<RoleDetail />} />
      <Route path=":roleId/edit" element={<RoleEditor mode="edit" />} />
      <Route path=":roleId/assignments/new" element={<AssignmentEditor />} />
      <Route path=":roleId/assignments/:assignmentId" element={<AssignmentEditor />} />
      <Route path="*" element={<Navigate to="/admin/roles" replace />} />
    </Routes>
  );
}
