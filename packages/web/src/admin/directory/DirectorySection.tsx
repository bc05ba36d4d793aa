/**
 * @module admin/directory/DirectorySection
 * The admin center's Users and groups pages (routes under `/admin/directory`): all users, a
 * person's page, groups of users and devices, a group's page.
 */
import { Navigate, Route, Routes } from 'react-router';
import { GroupList } from './GroupList';
import { GroupPage } from './GroupPage';
import { UserList } from './UserList';
import { UserPage } from './UserPage';

/** See the module description. */
export function DirectorySection() {
  return (
    <Routes>
      <Route index element={<Navigate to="/admin/directory/users" replace />} />
      <Route path="users" element={<UserList />} />
      <Route path="users/:id" element={<UserPage />} />
      <Route path="groups" element={<GroupList />} />
      <Route path="groups/:id" element={<GroupPage />} />
      <Route path="*" element={<Navigate to="/admin/directory/users" replace />} />
    </Routes>
  );
}
