/**
 * @module fixtures
 * Valid protocol objects for unit tests.
 */
import type { DeviceView, PersonCard, SessionView } from '@remote-help/protocol';

/** A person on the trust screen. */
export function person(overrides: Partial<PersonCard> = {}): PersonCard {
  return {
    id: 'u_alice',
    displayName: 'Alice Helper',
    jobTitle: 'IT Support',
    company: 'Contoso',
    email: 'alice@contoso.com',
    photoUrl: null,
    verifiedDomain: 'contoso.com',
    assertedDomain: null,
    tenantName: 'Contoso',
    ...overrides,
  };
}

/** A session as the helper sees it, in `state`. */
export function session(overrides: Partial<SessionView> = {}): SessionView {
  return {
    id: 's1',
    state: 'waiting',
    role: 'helper',
    helper: person(),
    sharer: null,
    sharerClient: null,
    mode: null,
    pendingMode: null,
    codeExpiresAt: '2030-01-01T00:10:00.000Z',
    peerOnline: false,
    endReason: null,
    createdAt: '2030-01-01T00:00:00.000Z',
    endedAt: null,
    sharerStatus: overrides.state === 'active' ? 'sharing' : 'pending',
    version: 0,
    device: null,
    ...overrides,
  };
}

/** An enrolled Linux device as the admin center sees it. */
export function device(overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    id: 'd1',
    name: 'LENA-PC',
    inventory: {
      hostname: 'LENA-PC',
      os: 'linux',
      osVersion: 'Debian GNU/Linux 12 (bookworm)',
      model: null,
      serial: null,
      isVirtualMachine: false,
      diskEncrypted: true,
      firewallEnabled: true,
      screenCount: 1,
      agentVersion: '1.2.0',
    },
    enrolledAt: '2030-01-01T00:00:00.000Z',
    lastCheckInAt: '2030-01-02T08:30:00.000Z',
    enrollmentStatus: 'enrolled',
    revokedAt: null,
    primaryUser: null,
    online: true,
    inScope: true,
    compliance: 'compliant',
    failingRules: [],
    ...overrides,
  };
}
