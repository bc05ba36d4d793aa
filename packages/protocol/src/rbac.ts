/**
 * @module rbac
 * Role-based access control like Intune's: groups of users or devices (device groups may
 * be dynamic, by a rule over inventory), roles (three built-in, immutable; custom roles per
 * tenant) and assignments = role + member groups + scope groups − excluded groups. And the
 * embedded directory's users as administrators manage them.
 */
import { z } from 'zod';
import { Id, Permission } from './people.js';

/** Ids of the built-in roles; they exist in every tenant and cannot be changed or deleted. */
export const BUILT_IN_ROLE_IDS = ['administrator', 'helpDeskOperator', 'readOnlyOperator'] as const;
export const BuiltInRoleId = z.enum(BUILT_IN_ROLE_IDS);
export type BuiltInRoleId = z.infer<typeof BuiltInRoleId>;

/** A name shown in lists: trimmed, 1–128 characters, no control characters. */
const Name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters');
const Description = z.string().trim().max(1000).default('');

/** Inventory fields a dynamic device group can test. */
export const DEVICE_RULE_FIELDS = [
  'os',
  'osVersion',
  'hostname',
  'model',
  'isVirtualMachine',
  'diskEncrypted',
  'firewallEnabled',
] as const;

/** How a dynamic device group's rule compares; `gte`/`lte` compare dotted versions numerically (`osVersion` only). */
export const DEVICE_RULE_OPS = ['eq', 'ne', 'startsWith', 'contains', 'gte', 'lte'] as const;
export type DeviceRuleOp = (typeof DEVICE_RULE_OPS)[number];

/**
 * A dynamic device group's rule: one comparison over the device's last inventory. Text
 * compares case-insensitively (`{ field: 'os', op: 'eq', value: 'Linux' }` matches `linux`);
 * booleans only with `eq`/`ne`; `gte`/`lte` only for `osVersion`, numerically by dotted parts
 * (`{ field: 'osVersion', op: 'gte', value: '14.2' }` matches `14.10`). An unknown (null)
 * inventory value, or a version without a number, never matches.
 */
export const DeviceGroupRule = z
  .strictObject({
    field: z.enum(DEVICE_RULE_FIELDS),
    op: z.enum(DEVICE_RULE_OPS),
    value: z.union([z.string().trim().min(1).max(128), z.boolean()]),
  })
  .refine((r) => typeof r.value === 'string' || r.op === 'eq' || r.op === 'ne', {
    message: 'booleans compare only with eq or ne',
  })
  .refine((r) => (r.op !== 'gte' && r.op !== 'lte') || r.field === 'osVersion', {
    message: 'gte and lte compare only osVersion',
  })
  .refine((r) => (r.op !== 'gte' && r.op !== 'lte') || /^\s*v?\d{1,9}(\.\d{1,9}){0,5}/.test(String(r.value)), {
    message: 'a version starts with a number, e.g. 14.2',
  })
  .refine(
    (r) =>
      ['isVirtualMachine', 'diskEncrypted', 'firewallEnabled'].includes(r.field) === (typeof r.value === 'boolean'),
    { message: 'the value must be a boolean for yes/no fields and text for the others' },
  );
export type DeviceGroupRule = z.infer<typeof DeviceGroupRule>;

export const GroupKind = z.enum(['user', 'device']);
export type GroupKind = z.infer<typeof GroupKind>;

/** `POST /api/v1/groups`. A rule makes a device group dynamic (no static members). */
export const CreateGroupRequest = z
  .strictObject({
    name: Name,
    description: Description,
    kind: GroupKind,
    rule: DeviceGroupRule.nullable().default(null),
  })
  .refine((g) => g.kind === 'device' || g.rule === null, { message: 'only device groups can have a rule' });
export type CreateGroupRequest = z.input<typeof CreateGroupRequest>;

/** `PATCH /api/v1/groups/:id` (the kind never changes). */
export const UpdateGroupRequest = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  rule: DeviceGroupRule.nullable().optional(),
});
export type UpdateGroupRequest = z.input<typeof UpdateGroupRequest>;

/** `PUT /api/v1/groups/:id/members`: the whole static member list (user or device ids). */
export const SetGroupMembersRequest = z.strictObject({ members: z.array(Id).max(5000) });

export const GroupView = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  kind: GroupKind,
  rule: DeviceGroupRule.nullable(),
  /** Static members (ids), or for a dynamic group the devices its rule matches now. */
  members: z.array(Id),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GroupView = z.infer<typeof GroupView>;

/** `POST /api/v1/roles` and `PATCH /api/v1/roles/:id` (custom roles only). */
export const CreateRoleRequest = z.strictObject({
  name: Name,
  description: Description,
  permissions: z.array(Permission).max(64),
});
export type CreateRoleRequest = z.input<typeof CreateRoleRequest>;
export const UpdateRoleRequest = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  permissions: z.array(Permission).max(64).optional(),
});
export type UpdateRoleRequest = z.input<typeof UpdateRoleRequest>;

export const RoleView = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(Permission),
});
export type RoleView = z.infer<typeof RoleView>;

/**
 * Who an assignment's members may help: everyone (`all`), or the users and devices in
 * `groups`. `excluded` always wins, also over `all`.
 */
export const AssignmentScope = z.strictObject({
  all: z.boolean(),
  groups: z.array(Id).max(100),
  excluded: z.array(Id).max(100),
});
export type AssignmentScope = z.infer<typeof AssignmentScope>;

/** `POST /api/v1/assignments`, `PUT /api/v1/assignments/:id` (the whole assignment). */
export const AssignmentRequest = z.strictObject({
  name: Name,
  description: Description,
  roleId: Id,
  /** User groups whose members get the role. */
  members: z.array(Id).min(1).max(100),
  scope: AssignmentScope,
});
export type AssignmentRequest = z.input<typeof AssignmentRequest>;

export const AssignmentView = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  roleId: Id,
  members: z.array(Id),
  scope: AssignmentScope,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AssignmentView = z.infer<typeof AssignmentView>;

/** A person of the embedded directory as administrators see them. */
export const DirectoryUserView = z.object({
  id: Id,
  email: z.string(),
  displayName: z.string(),
  jobTitle: z.string().nullable(),
  company: z.string().nullable(),
  disabled: z.boolean(),
  /** URL of the profile picture (same origin, authorized), or null when the person has none. */
  photoUrl: z.string().nullable(),
  /** User groups the person is a static member of. */
  groups: z.array(Id),
  /** What the person may do now (union over their assignments). */
  permissions: z.array(Permission),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DirectoryUserView = z.infer<typeof DirectoryUserView>;

const Password = z.string().min(12, 'at least 12 characters').max(256);
const OptionalText = Name.nullable();

/**
 * `POST /api/v1/users` (`users.manage`). The email is the person's sign-in name (UPN): its
 * domain must be one of the organization's verified domains. Without `password` the server
 * generates one and answers it once (`generatedPassword`).
 */
export const CreateUserRequest = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).email(),
  displayName: Name,
  jobTitle: OptionalText.default(null),
  company: OptionalText.default(null),
  password: Password.optional(),
  groups: z.array(Id).max(100).default([]),
});
export type CreateUserRequest = z.input<typeof CreateUserRequest>;

/** `POST /api/v1/users` → 201: the person, and the password the server generated (shown once; null when one was given). */
export const CreateUserResponse = z.object({ user: DirectoryUserView, generatedPassword: z.string().nullable() });
export type CreateUserResponse = z.infer<typeof CreateUserResponse>;

/** Largest page of `GET /api/v1/users`. */
export const USER_PAGE_MAX = 200;

/** `GET /api/v1/users` query: search (name or email), one group's members, status, paging. */
export const ListUsersQuery = z.strictObject({
  /** Matches the display name or the email (case-insensitive, anywhere). */
  search: z.string().trim().max(128).optional(),
  /** Only the static members of this user group. */
  groupId: Id.optional(),
  status: z.enum(['all', 'enabled', 'disabled']).default('all'),
  limit: z.coerce.number().int().min(1).max(USER_PAGE_MAX).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListUsersQuery = z.input<typeof ListUsersQuery>;

/** `GET /api/v1/users` → a page of people (by display name) and how many match in all. */
export const DirectoryUserPage = z.object({ users: z.array(DirectoryUserView), total: z.number().int() });
export type DirectoryUserPage = z.infer<typeof DirectoryUserPage>;

/** `PATCH /api/v1/users/:id`. */
export const UpdateUserRequest = z.strictObject({
  displayName: Name.optional(),
  jobTitle: OptionalText.optional(),
  company: OptionalText.optional(),
  disabled: z.boolean().optional(),
  /** The whole list of user groups the person is a static member of. */
  groups: z.array(Id).max(100).optional(),
});
export type UpdateUserRequest = z.input<typeof UpdateUserRequest>;

/**
 * `POST /api/v1/users/:id/password`: an administrator sets a new password, or (no body, or
 * no `password`) has the server generate one, answered once.
 */
export const ResetPasswordRequest = z.strictObject({
  password: Password.optional(),
  /** The person must choose a new password at their next sign-in (as Entra ID's reset does). */
  requireChange: z.boolean().optional(),
});
export const ResetPasswordResponse = z.object({ generatedPassword: z.string().nullable() });
export type ResetPasswordResponse = z.infer<typeof ResetPasswordResponse>;
