/**
 * @module api/rbac
 * Groups of users or devices (and their static members), custom roles and role assignments
 * (role + member groups + scope groups − exclusions), and the embedded directory's people.
 * The contract checks the permission that lets a caller in at all; a finer rule (a group's
 * kind decides between `users.manage` and `devices.manage`) stays with the service.
 */
import { z } from 'zod';
import {
  AssignmentRequest,
  AssignmentView,
  CreateGroupRequest,
  CreateRoleRequest,
  CreateUserRequest,
  CreateUserResponse,
  DirectoryUserPage,
  DirectoryUserView,
  ListUsersQuery,
  GroupView,
  ResetPasswordRequest,
  ResetPasswordResponse,
  RoleView,
  SetGroupMembersRequest,
  UpdateGroupRequest,
  UpdateRoleRequest,
  UpdateUserRequest,
} from '../rbac.js';
import type { PermissionRule } from './contract.js';
import { Id } from '../people.js';
import { endpoint } from './contract.js';

/** `:id` of a group, role, assignment or person. */
const IdParams = z.object({ id: Id });

const rule = (all: PermissionRule['all'], what: string): PermissionRule => ({
  all,
  denied: `Your role does not allow you to ${what}.`,
});
/** Compliance policies are assigned to device groups, so `policies.manage` reads groups too. */
const SEE_GROUPS: PermissionRule = {
  any: ['users.manage', 'roles.manage', 'devices.manage', 'devices.read', 'policies.manage'],
  denied: 'Your role does not allow you to see groups.',
};
const MANAGE_GROUPS: PermissionRule = {
  any: ['users.manage', 'devices.manage'],
  denied: 'Your role does not allow you to manage groups.',
};
const SEE_ROLES = rule(['roles.manage'], 'see roles');
const MANAGE_ROLES = rule(['roles.manage'], 'manage roles');
const SEE_ASSIGNMENTS = rule(['roles.manage'], 'see role assignments');
const MANAGE_ASSIGNMENTS = rule(['roles.manage'], 'manage role assignments');
const MANAGE_USERS = rule(['users.manage'], 'manage users');

export const GroupListResponse = z.object({ groups: z.array(GroupView) });
export const GroupResponse = z.object({ group: GroupView });
export const RoleListResponse = z.object({ roles: z.array(RoleView) });
export const RoleResponse = z.object({ role: RoleView });
export const AssignmentListResponse = z.object({ assignments: z.array(AssignmentView) });
export const AssignmentResponse = z.object({ assignment: AssignmentView });
export const DirectoryUserListResponse = DirectoryUserPage;
export const DirectoryUserResponse = z.object({ user: DirectoryUserView });

export const listGroups = endpoint({
  name: 'listGroups',
  method: 'GET',
  path: '/api/v1/groups',
  summary: 'Groups of users and devices',
  tag: 'Groups',
  status: 200,
  response: GroupListResponse,
  caller: 'user',
  permission: SEE_GROUPS,
  command: false,
});

export const getGroup = endpoint({
  name: 'getGroup',
  method: 'GET',
  path: '/api/v1/groups/:id',
  summary: 'One group',
  tag: 'Groups',
  params: IdParams,
  status: 200,
  response: GroupResponse,
  caller: 'user',
  permission: SEE_GROUPS,
  command: false,
});

export const createGroup = endpoint({
  name: 'createGroup',
  method: 'POST',
  path: '/api/v1/groups',
  summary: 'A new group of users or devices (a rule makes a device group dynamic)',
  description: '`users.manage` for a user group, `devices.manage` for a device group (checked by the service).',
  tag: 'Groups',
  body: CreateGroupRequest,
  status: 201,
  response: GroupResponse,
  caller: 'user',
  permission: MANAGE_GROUPS,
  command: true,
});

export const updateGroup = endpoint({
  name: 'updateGroup',
  method: 'PATCH',
  path: '/api/v1/groups/:id',
  summary: 'Renames or redescribes a group, or changes a dynamic group’s rule',
  description: '`users.manage` for a user group, `devices.manage` for a device group (checked by the service).',
  tag: 'Groups',
  params: IdParams,
  body: UpdateGroupRequest,
  status: 200,
  response: GroupResponse,
  caller: 'user',
  permission: MANAGE_GROUPS,
  command: true,
});

export const setGroupMembers = endpoint({
  name: 'setGroupMembers',
  method: 'PUT',
  path: '/api/v1/groups/:id/members',
  summary: 'Replaces a static group’s members',
  description: '`users.manage` for a user group, `devices.manage` for a device group (checked by the service).',
  tag: 'Groups',
  params: IdParams,
  body: SetGroupMembersRequest,
  status: 200,
  response: GroupResponse,
  caller: 'user',
  permission: MANAGE_GROUPS,
  command: true,
});

export const deleteGroup = endpoint({
  name: 'deleteGroup',
  method: 'DELETE',
  path: '/api/v1/groups/:id',
  summary: 'Deletes a group',
  description: '`users.manage` for a user group, `devices.manage` for a device group (checked by the service).',
  tag: 'Groups',
  params: IdParams,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_GROUPS,
  command: true,
});

export const listRoles = endpoint({
  name: 'listRoles',
  method: 'GET',
  path: '/api/v1/roles',
  summary: 'Built-in and custom roles',
  tag: 'Roles',
  status: 200,
  response: RoleListResponse,
  caller: 'user',
  permission: SEE_ROLES,
  command: false,
});

export const getRole = endpoint({
  name: 'getRole',
  method: 'GET',
  path: '/api/v1/roles/:id',
  summary: 'One role',
  tag: 'Roles',
  params: IdParams,
  status: 200,
  response: RoleResponse,
  caller: 'user',
  permission: SEE_ROLES,
  command: false,
});

export const createRole = endpoint({
  name: 'createRole',
  method: 'POST',
  path: '/api/v1/roles',
  summary: 'A new custom role',
  tag: 'Roles',
  body: CreateRoleRequest,
  status: 201,
  response: RoleResponse,
  caller: 'user',
  permission: MANAGE_ROLES,
  command: true,
});

export const updateRole = endpoint({
  name: 'updateRole',
  method: 'PATCH',
  path: '/api/v1/roles/:id',
  summary: 'Changes a custom role (built-in roles cannot change)',
  tag: 'Roles',
  params: IdParams,
  body: UpdateRoleRequest,
  status: 200,
  response: RoleResponse,
  caller: 'user',
  permission: MANAGE_ROLES,
  command: true,
});

export const deleteRole = endpoint({
  name: 'deleteRole',
  method: 'DELETE',
  path: '/api/v1/roles/:id',
  summary: 'Deletes a custom role',
  tag: 'Roles',
  params: IdParams,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_ROLES,
  command: true,
});

export const listAssignments = endpoint({
  name: 'listAssignments',
  method: 'GET',
  path: '/api/v1/assignments',
  summary: 'Role assignments',
  tag: 'Assignments',
  status: 200,
  response: AssignmentListResponse,
  caller: 'user',
  permission: SEE_ASSIGNMENTS,
  command: false,
});

export const getAssignment = endpoint({
  name: 'getAssignment',
  method: 'GET',
  path: '/api/v1/assignments/:id',
  summary: 'One role assignment',
  tag: 'Assignments',
  params: IdParams,
  status: 200,
  response: AssignmentResponse,
  caller: 'user',
  permission: MANAGE_ASSIGNMENTS,
  command: false,
});

export const createAssignment = endpoint({
  name: 'createAssignment',
  method: 'POST',
  path: '/api/v1/assignments',
  summary: 'A new role assignment: role, member groups, scope groups and exclusions',
  tag: 'Assignments',
  body: AssignmentRequest,
  status: 201,
  response: AssignmentResponse,
  caller: 'user',
  permission: MANAGE_ASSIGNMENTS,
  command: true,
});

export const replaceAssignment = endpoint({
  name: 'replaceAssignment',
  method: 'PUT',
  path: '/api/v1/assignments/:id',
  summary: 'Replaces a role assignment',
  tag: 'Assignments',
  params: IdParams,
  body: AssignmentRequest,
  status: 200,
  response: AssignmentResponse,
  caller: 'user',
  permission: MANAGE_ASSIGNMENTS,
  command: true,
});

export const deleteAssignment = endpoint({
  name: 'deleteAssignment',
  method: 'DELETE',
  path: '/api/v1/assignments/:id',
  summary: 'Deletes a role assignment',
  tag: 'Assignments',
  params: IdParams,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_ASSIGNMENTS,
  command: true,
});

export const listUsers = endpoint({
  name: 'listUsers',
  method: 'GET',
  path: '/api/v1/users',
  summary: 'The people of the embedded directory, a page at a time',
  description: 'Sorted by display name; `search` matches the name or email, `groupId` keeps one user group’s members.',
  tag: 'Users',
  query: ListUsersQuery,
  status: 200,
  response: DirectoryUserListResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: false,
});

export const getUser = endpoint({
  name: 'getUser',
  method: 'GET',
  path: '/api/v1/users/:id',
  summary: 'One person of the directory',
  tag: 'Users',
  params: IdParams,
  status: 200,
  response: DirectoryUserResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: false,
});

export const createUser = endpoint({
  name: 'createUser',
  method: 'POST',
  path: '/api/v1/users',
  summary: 'A new person in the directory',
  description:
    'The email must be in one of the organization’s verified domains. Without `password` the server generates one and answers it once.',
  tag: 'Users',
  body: CreateUserRequest,
  status: 201,
  response: CreateUserResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const updateUser = endpoint({
  name: 'updateUser',
  method: 'PATCH',
  path: '/api/v1/users/:id',
  summary: 'Edits, disables or enables a person, or sets their groups',
  tag: 'Users',
  params: IdParams,
  body: UpdateUserRequest,
  status: 200,
  response: DirectoryUserResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const resetPassword = endpoint({
  name: 'resetPassword',
  method: 'POST',
  path: '/api/v1/users/:id/password',
  summary: 'Sets a new password for a person (ends their sign-ins)',
  description: 'Without `password` (or without a body) the server generates one and answers it once.',
  tag: 'Users',
  params: IdParams,
  body: ResetPasswordRequest,
  bodyOptional: true,
  status: 200,
  response: ResetPasswordResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});
