/**
 * The rule on `email_verified` that sign-in and the administrator's test sign-in share
 * (`refusalOf`): present and anything but `true` or "true" refuses; absent (Entra ID) does not.
 * The sign-in itself, and that nothing changes when refused: `federation.integration.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { mapClaims, refusalOf } from './jit.js';
import type { ProviderRecord } from './service.js';

const provider: ProviderRecord = {
  id: 'provider-1',
  name: 'Contoso IdP',
  issuer: 'https://idp.contoso.example',
  clientId: 'remote-help',
  hasClientSecret: false,
  scopes: ['openid', 'email', 'profile'],
  claims: {
    displayName: 'name',
    email: 'upn',
    jobTitle: 'job_title',
    company: 'company',
    photoUrl: 'picture',
    groups: 'groups',
  },
  domains: ['contoso.example'],
  groupMappings: [],
  matchGroupsByName: true,
  countProviderMfa: true,
  enabled: true,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
  tenantId: 'tenant-1',
  clientSecret: null,
};

const verdictOf = (claims: Record<string, unknown>) =>
  refusalOf(provider, mapClaims(provider, { sub: 'someone', upn: 'helper@contoso.example', ...claims }));

describe('email_verified', () => {
  it.each([[false], ['false'], [null], [0], [1], ['yes'], ['TRUE'], [''], [{}], [[true]]])(
    'refuses %j, with a typed error that names the provider and the address',
    (value) => {
      const refused = verdictOf({ email_verified: value });
      expect(refused?.code).toBe('federation_email_not_verified');
      expect(refused?.status).toBe(403);
      expect(refused?.message).toContain('helper@contoso.example');
      expect(refused?.params).toMatchObject({ provider: 'Contoso IdP' });
    },
  );

  it.each([[true], ['true']])('accepts %j', (value) => {
    expect(verdictOf({ email_verified: value })).toBeNull();
  });

  it('accepts its absence (Microsoft Entra ID never sends it)', () => {
    expect(mapClaims(provider, { sub: 'someone', upn: 'helper@contoso.example' }).emailVerified).toBeNull();
    expect(verdictOf({})).toBeNull();
  });

  it('is read by its standard name whatever claim the email is mapped from', () => {
    expect(verdictOf({ email: 'helper@contoso.example', email_verified: false })?.code).toBe(
      'federation_email_not_verified',
    );
  });

  it('comes after the domain rule: an address outside the domains is refused for that', () => {
    expect(verdictOf({ upn: 'eve@fabrikam.example', email_verified: false })?.code).toBe(
      'federation_email_outside_domains',
    );
  });
});
