/**
 * @module api/userIdentities
 * A person's organization sign-in links: which account at which of the organization's identity
 * providers (OpenID Connect, `api/identity.ts`) signs in as them, by the provider's stable id
 * (`sub`). An administrator (`users.manage`) sees them and unlinks one, e.g. when the person's
 * account at the provider was deleted and made again (a new subject, refused until then as a
 * second account claiming a linked person's email). Their next sign-in there links the account
 * they use by its (verified) email.
 */
import { z } from 'zod';
import { endpoint, IdParams } from './contract.js';

const tag = 'Users';

/** One link: the provider (its id and name), the account's subject there, and when it was first linked. */
export const UserIdentity = z.object({
  providerId: z.string(),
  providerName: z.string(),
  /** The provider's stable id for the account (the ID token's `sub`). */
  subject: z.string(),
  linkedAt: z.string(),
});
export type UserIdentity = z.infer<typeof UserIdentity>;

/** `GET /api/v1/users/:id/identities`. */
export const UserIdentityList = z.object({ identities: z.array(UserIdentity) });
export type UserIdentityList = z.infer<typeof UserIdentityList>;

/** `:id` (the person) and `:providerId` (the identity provider). */
export const UserIdentityParams = z.object({ id: IdParams.shape.id, providerId: IdParams.shape.id });
export type UserIdentityParams = z.infer<typeof UserIdentityParams>;

const MANAGE_USERS = { all: ['users.manage'], denied: 'Your role does not allow you to manage users.' } as const;

export const listUserIdentities = endpoint({
  name: 'listUserIdentities',
  method: 'GET',
  path: '/api/v1/users/:id/identities',
  summary: 'A person’s organization sign-in links (identity provider, subject, when linked)',
  tag,
  params: IdParams,
  status: 200,
  response: UserIdentityList,
  caller: 'user',
  permission: MANAGE_USERS,
  command: false,
});

export const unlinkUserIdentity = endpoint({
  name: 'unlinkUserIdentity',
  method: 'DELETE',
  path: '/api/v1/users/:id/identities/:providerId',
  summary: 'Unlinks a person from their account at one identity provider',
  description:
    'Their next sign-in at that provider links the account they use there by its (verified) email, e.g. after their account there was deleted and made again. Needs every permission the person holds.',
  tag,
  params: UserIdentityParams,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});
