/**
 * Integration: a helper has at most {@link MAX_LIVE_CODES_PER_HELPER} security codes waiting.
 * Each wrong guess in an organization costs its guessing budget as many units as the
 * organization has live codes, so without the cap one helper could make thousands of codes
 * and spend the budget (and every colleague's redemptions for a day) in ten wrong guesses.
 * Runs on SQLite and, with TEST_DATABASE=postgres, on PostgreSQL (where parallel creates
 * race on separate connections).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { MAX_LIVE_CODES_PER_HELPER } from './service.js';

let t: TestServer;
const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

const created = async (): Promise<number> => {
  const r = await sql<{
    n: number | string;
  }>`SELECT count(*) AS n FROM audit_events WHERE action = 'session.created'`.execute(t.server.db);
  return Number(r.rows[0]?.n ?? 0);
};

describe('waiting security codes per helper', () => {
  it('refuses one code more than the cap with too_many_codes, writes nothing, and allows one again after a cancel', async () => {
    const helper = await signedIn('helper@contoso.example');
    const ids: string[] = [];
    const codes: string[] = [];
    for (let i = 0; i < MAX_LIVE_CODES_PER_HELPER; i++) {
      const r = await helper.post('/api/v1/sessions');
      expect(r.status).toBe(201);
      ids.push((r.body.session as { id: string }).id);
      codes.push(r.body.code as string);
    }
    const before = await created();
    const refused = await helper.post('/api/v1/sessions');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      ok: false,
      error: 'too_many_codes',
      data: { max: MAX_LIVE_CODES_PER_HELPER },
    });
    expect(await created()).toBe(before);
    const live = await helper.json('/api/v1/sessions');
    expect((live.body.sessions as unknown[]).length).toBe(MAX_LIVE_CODES_PER_HELPER);

    // Another helper of the same organization is not held back by this one's codes.
    const admin = await signedIn('admin@contoso.example');
    expect((await admin.post('/api/v1/sessions')).status).toBe(201);

    // A code given up frees its place.
    expect((await helper.post(`/api/v1/sessions/${ids[0]}/leave`)).status).toBe(200);
    expect((await helper.post('/api/v1/sessions')).status).toBe(201);
    expect((await helper.post('/api/v1/sessions')).body.error).toBe('too_many_codes');

    // So does a redeemed one: its session goes on, but its code can no longer be guessed.
    const sharer = await signedIn('sharer@contoso.example');
    expect((await sharer.post('/api/v1/sessions/redeem', { code: codes[1] })).status).toBe(200);
    expect((await helper.post('/api/v1/sessions')).status).toBe(201);
  });

  it('holds under parallel creates: exactly the cap succeeds', async () => {
    const helper = await signedIn('helper@fabrikam.example');
    const answers = await Promise.all(Array.from({ length: 40 }, () => helper.post('/api/v1/sessions')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_LIVE_CODES_PER_HELPER);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40 - MAX_LIVE_CODES_PER_HELPER);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error === 'too_many_codes')).toBe(true);
  });
});
