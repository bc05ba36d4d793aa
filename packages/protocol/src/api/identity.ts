/**
 * @module api/identity
 * Tenant administration > Identity: the organization's own OpenID Connect providers
 * (federation). Each provider has an issuer (discovered through
 * `/.well-known/openid-configuration`), a client id and secret (the secret is write-only: the
 * API never returns it), the scopes asked for, which claims carry the person's profile and
 * groups, the email domains that send a person there (home-realm discovery) and whether it is
 * on. Administrators only: `settings.manage` to read; adding or changing a provider needs every
 * permission (only the Administrator role holds them all), as the provider then decides who signs
 * in as anyone of its domains, administrators included, and into which groups its people go.
 */
import { z } from 'zod';
import { Id, PERMISSIONS } from '../people.js';
import type { PermissionRule } from './contract.js';
import { EmptyBody, IdParams, endpoint } from './contract.js';

const MANAGE_IDENTITY: PermissionRule = {
  all: ['settings.manage'],
  denied: 'Your role does not allow you to manage identity providers.',
};

/**
 * A provider signs people in as whoever its tokens name in its domains and can put them in any
 * group: whoever adds or changes one must already hold everything that could give (session 40,
 * docs/security.md N7).
 */
const CHANGE_IDENTITY: PermissionRule = {
  all: PERMISSIONS,
  denied:
    'Only someone who holds every permission can add or change an identity provider: it decides who signs in as anyone of its domains.',
};

const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters');

/** A claim name (`name`, `email`, `groups`, `extension_JobTitle`…); dots are not paths. */
const ClaimName = z
  .string()
  .trim()
  .max(100)
  .regex(/^[A-Za-z0-9_:./-]*$/, 'letters, digits and _ : . / - only');

/** An `https:` issuer (an `http:` issuer only on 127.0.0.1/localhost, for tests and labs), no query or fragment. */
export const IssuerUrl = z
  .string()
  .trim()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value);
      const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
      return (url.protocol === 'https:' || (url.protocol === 'http:' && local)) && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'must be an https URL without query or fragment');

export const EmailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
    'must be a domain name like contoso.com',
  );

/** Which claim carries each part of the person's profile (empty: not mapped). */
export const ClaimMapping = z.strictObject({
  displayName: ClaimName.default('name'),
  email: ClaimName.min(1).default('email'),
  jobTitle: ClaimName.default('job_title'),
  company: ClaimName.default('company'),
  photoUrl: ClaimName.default('picture'),
  groups: ClaimName.default('groups'),
});
export type ClaimMapping = z.infer<typeof ClaimMapping>;

/** A value of the groups claim (a name, or an id such as an Entra group's object id) → one of our groups. */
export const GroupMapping = z.strictObject({ externalId: Text(256), groupId: Id });
export type GroupMapping = z.infer<typeof GroupMapping>;

export const IdentityProviderInput = z.strictObject({
  name: Text(128),
  issuer: IssuerUrl,
  clientId: Text(256),
  /** Write-only. Absent on a change: keep the stored one; `''`: none (a public client with PKCE). */
  clientSecret: z.string().max(1024).optional(),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'a scope token'))
    .max(20)
    .default(['openid', 'email', 'profile'])
    .refine((s) => s.includes('openid'), 'must include openid'),
  claims: ClaimMapping.default({
    displayName: 'name',
    email: 'email',
    jobTitle: 'job_title',
    company: 'company',
    photoUrl: 'picture',
    groups: 'groups',
  }),
  domains: z.array(EmailDomain).min(1).max(50),
  groupMappings: z.array(GroupMapping).max(200).default([]),
  /** A value of the groups claim equal to one of our user groups' names (case-insensitive) maps to it. */
  matchGroupsByName: z.boolean().default(true),
  /**
   * Whether the provider's word that the person used MFA (`mfa` in the ID token's `amr`, as Entra
   * ID and Okta send it) counts for conditional access. Off: a policy that requires MFA asks for an
   * authenticator set up here (or has one set up), whatever the provider says.
   */
  countProviderMfa: z.boolean().default(true),
  enabled: z.boolean().default(true),
});
export type IdentityProviderInput = z.input<typeof IdentityProviderInput>;

export const IdentityProvider = z.object({
  id: Id,
  name: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  /** Whether a client secret is stored (the secret itself is never returned). */
  hasClientSecret: z.boolean(),
  scopes: z.array(z.string()),
  claims: ClaimMapping,
  domains: z.array(z.string()),
  groupMappings: z.array(GroupMapping),
  matchGroupsByName: z.boolean(),
  countProviderMfa: z.boolean(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IdentityProvider = z.infer<typeof IdentityProvider>;

export const IdentityProviderList = z.object({
  providers: z.array(IdentityProvider),
  /** The redirect URI to register at every provider. */
  redirectUri: z.string(),
});
export type IdentityProviderList = z.infer<typeof IdentityProviderList>;

export const IdentityProviderResponse = z.object({ provider: IdentityProvider });
export type IdentityProviderResponse = z.infer<typeof IdentityProviderResponse>;

export const listIdentityProviders = endpoint({
  name: 'listIdentityProviders',
  method: 'GET',
  path: '/api/v1/identity-providers',
  summary: 'The organization’s OpenID Connect providers (federation)',
  tag: 'Identity',
  status: 200,
  response: IdentityProviderList,
  caller: 'user',
  permission: MANAGE_IDENTITY,
  command: false,
});

export const getIdentityProvider = endpoint({
  name: 'getIdentityProvider',
  method: 'GET',
  path: '/api/v1/identity-providers/:id',
  summary: 'One OpenID Connect provider of the organization',
  tag: 'Identity',
  params: IdParams,
  status: 200,
  response: IdentityProviderResponse,
  caller: 'user',
  permission: MANAGE_IDENTITY,
  command: false,
});

export const createIdentityProvider = endpoint({
  name: 'createIdentityProvider',
  method: 'POST',
  path: '/api/v1/identity-providers',
  summary: 'Adds an OpenID Connect provider (audited, the secret left out)',
  description:
    'Every domain must be one of the organization’s verified domains and not already sent to another enabled provider (`conflict`); people whose email is in one of them are sent to this provider at sign-in while it is enabled.',
  tag: 'Identity',
  body: IdentityProviderInput,
  status: 201,
  response: IdentityProviderResponse,
  caller: 'user',
  permission: CHANGE_IDENTITY,
  command: true,
});

export const updateIdentityProvider = endpoint({
  name: 'updateIdentityProvider',
  method: 'PUT',
  path: '/api/v1/identity-providers/:id',
  summary: 'Replaces an OpenID Connect provider (audited before → after, the secret left out)',
  tag: 'Identity',
  params: IdParams,
  body: IdentityProviderInput,
  status: 200,
  response: IdentityProviderResponse,
  caller: 'user',
  permission: CHANGE_IDENTITY,
  command: true,
});

export const deleteIdentityProvider = endpoint({
  name: 'deleteIdentityProvider',
  method: 'DELETE',
  path: '/api/v1/identity-providers/:id',
  summary: 'Deletes an OpenID Connect provider; its people sign in with the embedded provider again',
  tag: 'Identity',
  params: IdParams,
  body: EmptyBody,
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_IDENTITY,
  command: true,
});
