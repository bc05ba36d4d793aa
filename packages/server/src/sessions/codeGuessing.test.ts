/**
 * Guessing security codes, against the real SessionService and its enforced limits on a real
 * SQLite database, with a simulated clock. The insider of finding 3 holds 100 accounts of one
 * tenant, uses a new address for every guess and retries as soon as he is allowed; the
 * tenant has 1,000 live codes. From the guesses the server actually checked we compute the
 * chance that any of them hits a live code in any 24 h.
 */
import type { Permission } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { newId } from '../ids.js';
import { CODE_SPACE, DAY, GUESS_RISK_PER_DAY, REDEEM_ACCOUNT } from '../ratelimit/policies.js';
import { permissionsFor, parseRoles } from '../rbac/permissions.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { iso } from '../time.js';
import { MAX_LIVE_CODES_PER_HELPER } from './service.js';

const ACCOUNTS = 100;
const LIVE_CODES = 1000;
/** Simulated attack length: two days, so the budget's window rolls over once. */
const HORIZON = 2 * DAY;
/** Bounds the run on code without limits (≈ 100,000 checks a day); enough to fail the assertion there. */
const MAX_CHECKS = Number(process.env.CODE_GUESSING_MAX_CHECKS ?? 5000);

/** The highest chance, over every 24 h interval, that one of the checked guesses hit a live code. */
export function worstDailyChance(checks: readonly { at: number; live: number }[]): number {
  let worst = 0;
  let start = 0;
  let logMiss = 0;
  for (let end = 0; end < checks.length; end++) {
    logMiss += Math.log1p(-checks[end]!.live / CODE_SPACE);
    while (checks[end]!.at - checks[start]!.at >= DAY) logMiss -= Math.log1p(-checks[start++]!.live / CODE_SPACE);
    worst = Math.max(worst, 1 - Math.exp(logMiss));
  }
  return worst;
}

/**
 * `eager`: every account guesses as soon as it may. `boundary`: one guess opens the tenant's
 * budget window, the rest wait until ten minutes before it ends and then spend both that
 * window's budget and the next one's, as close together as the limits allow.
 */
const STRATEGIES = { eager: 0, boundary: DAY - 10 * 60_000 };

describe.each(Object.entries(STRATEGIES))('an insider guessing codes with 100 accounts (%s)', (strategy, holdBack) => {
  const clock = { t: Date.now(), now: () => clock.t };
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, { clock });
  });
  afterAll(async () => t?.stop());

  it('has at most a 0.1 % chance per day of redeeming somebody’s code', async () => {
    const { db, sessions } = t.server;
    const helperRow = await db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'helper@contoso.example')
      .executeTakeFirstOrThrow();
    const tenantId = helperRow.tenant_id;
    // Codes stay live for the whole simulated attack.
    await db
      .updateTable('tenants')
      .set({ code_ttl_seconds: 10 * 86_400 })
      .where('id', '=', tenantId)
      .execute();
    const helper: Principal = {
      userId: helperRow.id,
      tenantId,
      permissions: permissionsFor(parseRoles(helperRow.roles)),
      ip: '192.0.2.1',
      client: 'web',
    };
    const person = async (email: string, name: string): Promise<string> => {
      const id = newId();
      await db
        .insertInto('users')
        .values({
          id,
          tenant_id: tenantId,
          email,
          display_name: name,
          job_title: null,
          company: null,
          photo_mime: null,
          photo: null,
          password_hash: null,
          roles: JSON.stringify(['sharer']),
          disabled: 0,
          created_at: iso(clock.t),
          updated_at: iso(clock.t),
        })
        .execute();
      return id;
    };
    // A helper has at most MAX_LIVE_CODES_PER_HELPER codes waiting: the organization's live codes
    // come from as many helpers as that takes.
    const live = new Set<string>();
    let offering = helper;
    for (let i = 0; i < LIVE_CODES; i++) {
      if (i > 0 && i % MAX_LIVE_CODES_PER_HELPER === 0) {
        offering = { ...helper, userId: await person(`colleague${i}@contoso.example`, `Colleague ${i}`) };
      }
      live.add((await sessions.create(offering)).code);
    }

    const attackers: Principal[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const id = await person(`insider${i}@contoso.example`, `Insider ${i}`);
      attackers.push({ userId: id, tenantId, permissions: [] as Permission[], ip: null, client: 'web' });
    }

    const start = clock.t;
    const nextAt = attackers.map((_, i) => start + (i === 0 ? 0 : holdBack));
    const checks: { at: number; live: number }[] = [];
    let refusals = 0;
    let address = 0;
    const wrongGuess = () => {
      for (;;) {
        const guess = String(Math.floor(Math.random() * CODE_SPACE)).padStart(8, '0');
        if (!live.has(guess)) return guess;
      }
    };
    while (checks.length < MAX_CHECKS) {
      let who = 0;
      for (let i = 1; i < ACCOUNTS; i++) if (nextAt[i]! < nextAt[who]!) who = i;
      if (nextAt[who]! >= start + HORIZON) break;
      clock.t = nextAt[who]!;
      address++;
      const ip = `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
      try {
        await sessions.redeem({ ...attackers[who]!, ip }, wrongGuess(), 'web');
        throw new Error('a wrong code was accepted');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const wait = Number((error.data as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 0);
        if (error.code === 'rate_limited') refusals++;
        else if (error.code === 'code_invalid') checks.push({ at: clock.t, live: LIVE_CODES });
        else throw error;
        nextAt[who] = clock.t + Math.max(wait * 1000, error.code === 'rate_limited' ? 1000 : 0);
      }
    }
    const firstDay = checks.filter((c) => c.at < start + DAY).length;
    const chance = worstDailyChance(checks);
    const alerts = await db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'security.code_guessing_suspected')
      .where('tenant_id', '=', tenantId)
      .execute();
    console.info(
      `[finding 3, ${strategy}] ${checks.length} guesses checked in ${HORIZON / DAY} simulated days (${firstDay} on day 1), ` +
        `${refusals} refused; worst 24 h chance of a hit: ${(chance * 100).toFixed(4)} %; ${alerts.length} alert(s)`,
    );
    expect(chance).toBeLessThanOrEqual(GUESS_RISK_PER_DAY);
    // Administrators hear of it, once per budget window, not once per refusal.
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    expect(alerts.length).toBeLessThanOrEqual(Math.ceil(HORIZON / DAY));
  }, 120_000);
});

describe('code redemption through the API', () => {
  let t: TestServer;
  // The clock stands still: on a loaded machine the burst can outlast the first back-off, after
  // which one more attempt is rightly allowed; what is under test is that no attempt is checked
  // beyond what the limits allow at one instant.
  const clock = { t: Date.now(), now: () => clock.t };
  beforeAll(async () => {
    t = await startTestServer({}, { clock });
  });
  afterAll(async () => t?.stop());

  it('checks at most the free attempts of 200 parallel redemptions', async () => {
    const guesser = new Client(t.url);
    await guesser.signIn('sharer@fabrikam.example');
    const codes = Array.from({ length: 200 }, (_, i) => String(20_000_000 + i));
    const replies = await Promise.all(codes.map((code) => guesser.post('/api/v1/sessions/redeem', { code })));
    const checked = replies.filter((r) => r.body.error === 'code_invalid').length;
    console.info(`[finding 2] 200 parallel redemptions: ${checked} checked`);
    expect(checked).toBeLessThanOrEqual(REDEEM_ACCOUNT.freeAttempts);
    expect(replies.filter((r) => r.body.error === 'rate_limited')).toHaveLength(200 - checked);
  }, 60_000); // 200 requests: 8 s alone on PostgreSQL, past 20 s on a loaded machine

  it('does not slow down a person who mistypes twice', async () => {
    const helper = new Client(t.url);
    await helper.signIn('helper@contoso.example');
    const sharer = new Client(t.url);
    await sharer.signIn('sharer@contoso.example');
    const { code } = (await helper.post('/api/v1/sessions')).body as { code: string };
    const typo = (n: number) => String((Number(code) + n) % 10 ** 8).padStart(8, '0');
    for (const wrong of [typo(1), typo(10)]) {
      const r = await sharer.post('/api/v1/sessions/redeem', { code: wrong });
      expect(r.body.error).toBe('code_invalid');
      expect(r.body.data).toBeUndefined();
    }
    const joined = await sharer.post('/api/v1/sessions/redeem', { code });
    expect(joined.status).toBe(200);
    // And the account's count is cleared: the next two mistakes are free again.
    for (const wrong of [typo(2), typo(20)])
      expect((await sharer.post('/api/v1/sessions/redeem', { code: wrong })).body.data).toBeUndefined();
  });
});
