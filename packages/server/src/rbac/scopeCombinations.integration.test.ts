/**
 * Integration (issue 8, item 4): scope groups with exclusions, combination by combination, on
 * the real server. Two Help Desk assignments with the same exclusions (the group "Contractors"
 * and the device group "Quarantine"): one scoped to Finance people and Linux devices, one to
 * "all users and devices" (exclusions win over "all" too). Each helper × each sharer (in scope,
 * excluded, outside) × where they join (web, an in-scope device, an out-of-scope device, an
 * excluded device) is tried at code redemption; each helper × device at remote launch; and each
 * launch the helper may make × each person accepting it. `rbac.integration.test.ts` has the
 * single cases (and a scope removed mid-session); this file holds the combinations.
 */
import type { SessionView } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSignIn } from '../test/agentSignIn.js';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import type { TestDevice } from '../test/testDevice.js';
import { DeviceSocket, TEST_INVENTORY, enrollDevice } from '../test/testDevice.js';

type Profile = 'scoped' | 'allButExcluded';
type Sharer = 'finance' | 'contractor' | 'other';
type Place = 'web' | 'linux' | 'mac' | 'quarantined';

/**
 * Whether the helper may help the sharer there — written out, not computed: the scoped helper
 * needs the person in Finance and (when known) the device in Linux; the helper with "all" anyone;
 * both never a contractor nor the quarantined device.
 */
const MAY_HELP: Record<Profile, Record<Sharer, Record<Place, boolean>>> = {
  scoped: {
    finance: { web: true, linux: true, mac: false, quarantined: false },
    contractor: { web: false, linux: false, mac: false, quarantined: false },
    other: { web: false, linux: false, mac: false, quarantined: false },
  },
  allButExcluded: {
    finance: { web: true, linux: true, mac: true, quarantined: false },
    contractor: { web: false, linux: false, mac: false, quarantined: false },
    other: { web: true, linux: true, mac: true, quarantined: false },
  },
};
/** Remote launch names a device only. */
const MAY_LAUNCH: Record<Profile, Record<Exclude<Place, 'web'>, boolean>> = {
  scoped: { linux: true, mac: false, quarantined: false },
  allButExcluded: { linux: true, mac: true, quarantined: false },
};

const SHARERS: Sharer[] = ['finance', 'contractor', 'other'];
const PLACES: Place[] = ['web', 'linux', 'mac', 'quarantined'];
const PROFILES: Profile[] = ['scoped', 'allButExcluded'];
/** Launches a helper may start back to back (`DEFAULT_LAUNCH_LIMITS.burst`); each profile has several helpers. */
const LAUNCHES_PER_HELPER = 5;
const HELPERS_PER_PROFILE = 3;

let t: TestServer;
let admin: Client;
const sockets: DeviceSocket[] = [];
const helpers = {} as Record<Profile, { client: Client; launches: number }[]>;
const web = {} as Record<Sharer, Client>;
const agentTokens = {} as Record<Sharer, string>;
const devices = {} as Record<Exclude<Place, 'web'>, TestDevice>;

const created = async (path: string, body: Record<string, unknown>, key: string): Promise<string> => {
  const r = await admin.post(path, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body[key] as { id: string }).id;
};
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

beforeAll(async () => {
  t = await startTestServer();
  admin = await signedIn('admin@contoso.example');
  const group = (name: string, kind: 'user' | 'device', rule: unknown = null) =>
    created('/api/v1/groups', { name, kind, rule }, 'group');
  const finance = await group('Finance', 'user');
  const contractors = await group('Contractors', 'user');
  const linux = await group('Linux devices', 'device', { field: 'os', op: 'eq', value: 'Linux' });
  const quarantine = await group('Quarantine', 'device');
  const excluded = [contractors, quarantine];
  const scopeOf: Record<Profile, { all: boolean; groups: string[]; excluded: string[] }> = {
    scoped: { all: false, groups: [finance, linux], excluded },
    allButExcluded: { all: true, groups: [], excluded },
  };
  for (const profile of PROFILES) {
    const desk = await group(`Desk ${profile}`, 'user');
    await created(
      '/api/v1/assignments',
      { name: `Help desk ${profile}`, roleId: 'helpDeskOperator', members: [desk], scope: scopeOf[profile] },
      'assignment',
    );
    helpers[profile] = [];
    for (let i = 0; i < HELPERS_PER_PROFILE; i++) {
      const email = `${profile.toLowerCase()}${i}@contoso.example`;
      await created(
        '/api/v1/users',
        { email, displayName: `${profile} ${i}`, password: DEMO_PASSWORD, groups: [desk] },
        'user',
      );
      helpers[profile].push({ client: await signedIn(email), launches: 0 });
    }
  }
  const sharerGroups: Record<Sharer, string[]> = { finance: [finance], contractor: [finance, contractors], other: [] };
  for (const sharer of SHARERS) {
    const email = `${sharer}@contoso.example`;
    await created(
      '/api/v1/users',
      { email, displayName: sharer, password: DEMO_PASSWORD, groups: sharerGroups[sharer] },
      'user',
    );
    web[sharer] = await signedIn(email);
    agentTokens[sharer] = (await agentSignIn(t.url, email)).access_token;
  }
  const online = async (inventory: typeof TEST_INVENTORY) => {
    const device = await enrollDevice(t.url, admin, inventory);
    sockets.push(await DeviceSocket.open(t.url, device));
    return device;
  };
  devices.linux = await online({ ...TEST_INVENTORY, os: 'linux', osVersion: '12', hostname: 'build-box' });
  devices.mac = await online({ ...TEST_INVENTORY, os: 'macos', hostname: 'design-mac' });
  devices.quarantined = await online({ ...TEST_INVENTORY, os: 'linux', osVersion: '12', hostname: 'old-linux' });
  const members = await admin.json(`/api/v1/groups/${quarantine}/members`, 'PUT', {
    members: [devices.quarantined.id],
  });
  expect(members.status).toBe(200);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

/** A helper of the profile (the first one for codes; one with launches left for remote launch). */
function helperOf(profile: Profile, launching = false): Client {
  const pool = helpers[profile];
  const h = launching ? pool.find((x) => x.launches < LAUNCHES_PER_HELPER) : pool[0];
  if (!h) throw new Error(`no helper of ${profile} has a remote launch left; raise HELPERS_PER_PROFILE`);
  if (launching) h.launches++;
  return h.client;
}

/** The sharer joins with `code` from `place`: the web app, or the agent with the device's proof. */
async function redeem(sharer: Sharer, code: string, place: Place) {
  if (place === 'web') return web[sharer].post('/api/v1/sessions/redeem', { code });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${agentTokens[sharer]}`,
    'x-device-proof': `Device ${await devices[place].proof('POST', '/api/v1/sessions/redeem')}`,
  };
  const r = await fetch(`${t.url}/api/v1/sessions/redeem`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ code, client: 'agent' }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The person at `device` accepts the launch `sessionId` in the agent. */
async function accept(sharer: Sharer, sessionId: string, device: TestDevice) {
  const r = await device.answerLaunch(sessionId, agentTokens[sharer]);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const sessionOf = async (helper: Client, id: string) =>
  (await helper.json(`/api/v1/sessions/${id}`)).body.session as SessionView;

const verdict = (may: boolean) => (may ? 'joins' : 'out_of_scope, the session ends');

describe('session creation', () => {
  it.each(PROFILES)(
    '%s: a code session is offered without a target (scope is checked when someone joins)',
    async (profile) => {
      const r = await helperOf(profile).post('/api/v1/sessions', {});
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      await helperOf(profile).post(`/api/v1/sessions/${(r.body.session as SessionView).id}/leave`);
    },
  );

  it('a person in no assignment’s member group cannot offer help at all', async () => {
    const r = await web.finance.post('/api/v1/sessions', {});
    expect([r.status, r.body.error]).toEqual([403, 'forbidden']);
  });
});

describe('code redemption', () => {
  const cases = PROFILES.flatMap((profile) =>
    SHARERS.flatMap((sharer) =>
      PLACES.map((place) => {
        const may = MAY_HELP[profile][sharer][place];
        return { profile, sharer, place, may, verdict: verdict(may) };
      }),
    ),
  );
  it.each(cases.map((c) => [`${c.profile} helper, ${c.sharer} sharer from ${c.place} → ${c.verdict}`, c] as const))(
    '%s',
    async (_, { profile, sharer, place, may }) => {
      const helper = helperOf(profile);
      const offered = await helper.post('/api/v1/sessions', {});
      const { code, session } = offered.body as { code: string; session: SessionView };
      const r = await redeem(sharer, code, place);
      if (may) {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const view = await sessionOf(helper, session.id);
        expect(view.state).toBe('joined');
        if (place !== 'web') expect(view.device?.id).toBe(devices[place].id);
        await helper.post(`/api/v1/sessions/${session.id}/leave`);
      } else {
        expect([r.status, r.body.error], JSON.stringify(r.body)).toEqual([403, 'out_of_scope']);
        expect(await sessionOf(helper, session.id)).toMatchObject({ state: 'ended', endReason: 'out_of_scope' });
      }
    },
  );
  // Keep the names honest: the table covers every combination, allowed and refused.
  it('tries every combination, and both answers occur for each helper', () => {
    expect(cases).toHaveLength(PROFILES.length * SHARERS.length * PLACES.length);
    for (const profile of PROFILES) {
      const answers = cases.filter((c) => c.profile === profile).map((c) => c.may);
      expect(answers).toContain(true);
      expect(answers).toContain(false);
    }
  });
});

describe('remote launch', () => {
  const launchCases = PROFILES.flatMap((profile) =>
    (['linux', 'mac', 'quarantined'] as const).map((place) => {
      const may = MAY_LAUNCH[profile][place];
      return { profile, place, may, verdict: may ? 'launched' : 'out_of_scope' };
    }),
  );
  it.each(launchCases.map((c) => [`${c.profile} helper launches on the ${c.place} device → ${c.verdict}`, c] as const))(
    '%s',
    async (_, { profile, place, may }) => {
      const helper = helperOf(profile, true);
      const r = await helper.post(`/api/v1/devices/${devices[place].id}/sessions`, {});
      if (may) {
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        await helper.post(`/api/v1/sessions/${(r.body.session as SessionView).id}/leave`);
      } else {
        expect([r.status, r.body.error], JSON.stringify(r.body)).toEqual([403, 'out_of_scope']);
      }
    },
  );

  const acceptCases = PROFILES.flatMap((profile) =>
    (['linux', 'mac', 'quarantined'] as const)
      .filter((place) => MAY_LAUNCH[profile][place])
      .flatMap((place) =>
        SHARERS.map((sharer) => {
          const may = MAY_HELP[profile][sharer][place];
          return { profile, place, sharer, may, verdict: verdict(may) };
        }),
      ),
  );
  it.each(
    acceptCases.map(
      (c) =>
        [`${c.profile} helper’s launch on the ${c.place} device, accepted by ${c.sharer} → ${c.verdict}`, c] as const,
    ),
  )('%s', async (_, { profile, place, sharer, may }) => {
    const helper = helperOf(profile, true);
    const launched = await helper.post(`/api/v1/devices/${devices[place].id}/sessions`, {});
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    const id = (launched.body.session as SessionView).id;
    const r = await accept(sharer, id, devices[place]);
    if (may) {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(await sessionOf(helper, id)).toMatchObject({ state: 'joined', device: { id: devices[place].id } });
      await helper.post(`/api/v1/sessions/${id}/leave`);
    } else {
      expect([r.status, r.body.error], JSON.stringify(r.body)).toEqual([403, 'out_of_scope']);
      expect(await sessionOf(helper, id)).toMatchObject({ state: 'ended', endReason: 'out_of_scope' });
    }
  });
});
