/**
 * @module api/domains
 * Tenant administration > Domains: the email domains an organization holds. An administrator
 * adds a domain, publishes the TXT record the server gives (`_remote-help.<domain>` with
 * `remote-help-verification=<random>`), and asks the server to verify it: the server looks the
 * record up through its configured DNS resolver. A domain is *verified* by DNS (`dns`) or, in
 * the embedded demo, *asserted* by the administrator without proof (`asserted`); only a DNS
 * proof earns the "Verified domain" badge on trust screens. People are added (by an
 * administrator or just in time by federation) only with an email in a domain the organization
 * holds. Administrators only: `settings.manage`.
 */
import { z } from 'zod';
import type { PermissionRule } from './contract.js';
import { EmptyBody, endpoint } from './contract.js';

const MANAGE_DOMAINS: PermissionRule = {
  all: ['settings.manage'],
  denied: 'Your role does not allow you to manage your organization’s domains.',
};

/** The DNS name whose TXT record proves a domain: `_remote-help.<domain>`. */
export const DOMAIN_TXT_PREFIX = '_remote-help';
/** What the TXT record's value starts with; a random token follows. */
export const DOMAIN_TXT_VALUE_PREFIX = 'remote-help-verification=';

/** Top-level names that never resolve in public DNS (RFC 6761, 6762, 8375 and the reverse tree). */
const PRIVATE_TLDS = new Set(['localhost', 'local', 'internal', 'invalid', 'arpa', 'home', 'lan', 'corp', 'intranet']);

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A domain name as DNS and email use it, in ASCII: trimmed, one trailing dot dropped,
 * internationalized names turned into punycode (IDNA, `bücher.example` → `xn--bcher-kva.example`),
 * lower case. Refused: wildcards, ports, paths, addresses, a single label, labels over 63 or
 * names over 253 characters, an all-numeric top level, and private top levels (`local`,
 * `localhost`, `internal`, …). `''` when the text is not a domain name.
 */
export function normalizeDomain(input: string): string {
  const text = input.trim().replace(/\.$/, '');
  if (!text || text.length > 253 || /[\s*/\\:@?#[\]%]/.test(text)) return '';
  let host: string;
  try {
    // The URL host parser applies UTS #46 (IDNA) mapping and punycode, the same way in browsers and Node.
    host = new URL(`http://${text}/`).hostname;
  } catch {
    return '';
  }
  const labels = host.split('.');
  const top = labels[labels.length - 1] ?? '';
  if (host.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) return '';
  if (/^[0-9]+$/.test(top) || PRIVATE_TLDS.has(top)) return '';
  return host;
}

/** A domain name of the organization (see {@link normalizeDomain}); parsed to its ASCII form. */
export const DomainName = z
  .string()
  .max(300)
  .transform((s) => normalizeDomain(s))
  .pipe(z.string().min(1, 'must be a domain name like contoso.com (no wildcard, no address)'));

/** How the organization came to hold a domain: a TXT record checked (`dns`) or an administrator's word (`asserted`). */
export const DomainProof = z.enum(['dns', 'asserted']);
export type DomainProof = z.infer<typeof DomainProof>;

/** One domain of the organization, as the admin center lists it. */
export const TenantDomain = z.object({
  /** ASCII (punycode) form, lower case; the domain's identifier in paths. */
  domain: z.string(),
  /** `pending`: added, waiting for its TXT record to be verified. */
  status: z.enum(['pending', 'verified']),
  /** How it was verified; null while pending. */
  proof: DomainProof.nullable(),
  /** The record to publish (name and value), for a domain verified or to be verified by DNS; null for an asserted one. */
  txtRecord: z.object({ name: z.string(), value: z.string() }).nullable(),
  verifiedAt: z.string().nullable(),
  createdAt: z.string(),
  /** People of the organization whose email is in this domain. */
  users: z.number().int().min(0),
  /** Names of the organization's identity providers that sign in this domain's people. */
  identityProviders: z.array(z.string()),
});
export type TenantDomain = z.infer<typeof TenantDomain>;

export const TenantDomainList = z.object({ domains: z.array(TenantDomain) });
export type TenantDomainList = z.infer<typeof TenantDomainList>;

export const TenantDomainResponse = z.object({ domain: TenantDomain });
export type TenantDomainResponse = z.infer<typeof TenantDomainResponse>;

export const AddDomainRequest = z.strictObject({ domain: DomainName });
export type AddDomainRequest = z.input<typeof AddDomainRequest>;

/**
 * `:id` of a domain path: the domain name as listed (ASCII). Only its characters are checked:
 * a name that is not one of the organization's domains is `not_found`, whether or not it could be one.
 */
export const DomainParams = z.object({
  id: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name as listed')
    .transform((s) => s.toLowerCase()),
});

export const listDomains = endpoint({
  name: 'listDomains',
  method: 'GET',
  path: '/api/v1/domains',
  summary: 'The organization’s domains, verified and pending',
  tag: 'Domains',
  status: 200,
  response: TenantDomainList,
  caller: 'user',
  permission: MANAGE_DOMAINS,
  command: false,
});

export const addDomain = endpoint({
  name: 'addDomain',
  method: 'POST',
  path: '/api/v1/domains',
  summary: 'Adds a domain to verify; answers the TXT record to publish (audited)',
  description:
    'The name is checked strictly (IDNA to ASCII, lower case, no wildcard, a public name with a dot). A domain another organization verified is `domain_taken`; one this organization already has is `conflict`.',
  tag: 'Domains',
  body: AddDomainRequest,
  status: 201,
  response: TenantDomainResponse,
  caller: 'user',
  permission: MANAGE_DOMAINS,
  command: true,
});

export const verifyDomain = endpoint({
  name: 'verifyDomain',
  method: 'POST',
  path: '/api/v1/domains/:id/verify',
  summary: 'Looks up the domain’s TXT record now; verified when it holds the value (audited)',
  description:
    'Refusals change nothing: `dns_record_missing` (no TXT record at the name), `dns_record_mismatch` (records, none with the value), `dns_timeout` (the resolver did not answer in time), `dns_lookup_failed` (SERVFAIL, REFUSED or another resolver failure; `data.reason`), `domain_taken` (another organization verified it first). A domain already verified answers as it is.',
  tag: 'Domains',
  params: DomainParams,
  body: EmptyBody,
  bodyOptional: true,
  status: 200,
  response: TenantDomainResponse,
  caller: 'user',
  permission: MANAGE_DOMAINS,
  command: true,
});

export const removeDomain = endpoint({
  name: 'removeDomain',
  method: 'DELETE',
  path: '/api/v1/domains/:id',
  summary: 'Removes a domain (audited); refused while people or an identity provider use it',
  description:
    'Refused with `conflict` while people of the organization have an email in the domain (`data.users`) or an identity provider sends the domain’s people to it (`data.identityProviders`): move or remove them first.',
  tag: 'Domains',
  params: DomainParams,
  body: EmptyBody,
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_DOMAINS,
  command: true,
});
