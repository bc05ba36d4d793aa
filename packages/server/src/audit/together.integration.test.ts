/**
 * Integration: a change and its audit record commit together. With the database refusing
 * audit rows (a trigger, `test/refuseAudit`), each audited administrative command answers with
 * an error and leaves the tables it writes exactly as they were; once the log takes rows again,
 * the same command works and is audited once. (Session commands: sessions.integration.test.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { testPicture } from '../test/pictures.js';
import { refuseAudit } from '../test/refuseAudit.js';

let t: TestServer;
let admin: Client;
let helper: Client;
let picture: string;

beforeAll(async () => {
  t = await startTestServer({});
  admin = new Client(t.url);
  helper = new Client(t.url);
  await Promise.all([admin.signIn('admin@contoso.example'), helper.signIn('helper@contoso.example')]);
  picture = Buffer.from(await testPicture('png', 64, 64)).toString('base64');
});
afterAll(async () => t?.stop());

/** Everything the commands below may write, as the database holds it. */
async function tables() {
  const db = t.server.db;
  return {
    tenants: await db.selectFrom('tenants').selectAll().orderBy('id').execute(),
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    tokens: await db.selectFrom('enrollment_tokens').selectAll().orderBy('id').execute(),
    audit: await db.selectFrom('audit_events').select(['id', 'action']).orderBy('id').execute(),
  };
}

interface Command {
  name: string;
  action: string;
  run: () => Promise<{ status: number; body: Record<string, unknown> }>;
  ok: number;
  /** What must exist first, made while the log takes rows. */
  prepare?: () => Promise<void>;
}

const commands = (): Command[] => [
  {
    name: 'organization settings',
    action: 'tenant.settings_updated',
    ok: 200,
    run: async () => {
      const current = (await admin.json('/api/v1/tenant/settings')).body.settings as Record<string, unknown>;
      return admin.json('/api/v1/tenant/settings', 'PUT', { ...current, disableChat: !current.disableChat });
    },
  },
  {
    name: 'agent update policy',
    action: 'tenant.settings_updated',
    ok: 200,
    run: async () => {
      const current = (await admin.json('/api/v1/tenant/agent-updates')).body as { autoUpdate: boolean };
      return admin.json('/api/v1/tenant/agent-updates', 'PUT', {
        minimumVersion: null,
        autoUpdate: !current.autoUpdate,
      });
    },
  },
  {
    name: 'a new enrollment token',
    action: 'enrollment_token.created',
    ok: 201,
    run: () => admin.json('/api/v1/enrollment-tokens', 'POST', {}),
  },
  {
    name: 'revoking an enrollment token',
    action: 'enrollment_token.revoked',
    ok: 200,
    prepare: async () => {
      expect((await admin.json('/api/v1/enrollment-tokens', 'POST', {})).status).toBe(201);
    },
    run: async () => {
      const live = await t.server.db
        .selectFrom('enrollment_tokens')
        .select('public_id')
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return admin.json(`/api/v1/enrollment-tokens/${live?.public_id ?? 'none'}/revoke`, 'POST', {});
    },
  },
  {
    name: 'one’s own language',
    action: 'user.language_changed',
    ok: 204,
    run: async () => {
      const { language } = (await helper.json('/api/v1/me')).body as { language: string | null };
      return helper.json('/api/v1/me/language', 'PUT', { language: language === 'de' ? 'fr' : 'de' });
    },
  },
  {
    name: 'one’s own picture',
    action: 'user.photo_updated',
    ok: 200,
    run: () => helper.json('/api/v1/me/photo', 'PUT', { image: picture }),
  },
  {
    name: 'removing one’s picture',
    action: 'user.photo_removed',
    ok: 204,
    prepare: async () => {
      expect((await helper.json('/api/v1/me/photo', 'PUT', { image: picture })).status).toBe(200);
    },
    run: () => helper.json('/api/v1/me/photo', 'DELETE'),
  },
];

describe('with the audit log refusing rows, an audited command changes nothing', () => {
  it.each(commands().map((c) => [c.name, c] as const))('%s', async (_name, command) => {
    await command.prepare?.();
    const before = await tables();
    const allow = await refuseAudit(t.server.db);
    let refused;
    try {
      refused = await command.run();
    } finally {
      await allow();
    }
    expect(refused.status, JSON.stringify(refused.body)).toBe(500);
    expect(await tables()).toEqual(before);

    const done = await command.run();
    expect(done.status, JSON.stringify(done.body)).toBe(command.ok);
    const audit = (await tables()).audit.slice(before.audit.length).map((row) => row.action);
    expect(audit).toEqual([command.action]);
  });
});
