/**
 * The reads that run on every redeem (a wrong code's too), every sign-in, a helper's start
 * screen and every metrics scrape use an index that reaches only the rows they need, never the
 * tenant's (or the database's) whole history: with 9,800 sessions in one tenant (load bench) each redeem used to read all 9,800
 * rows to count live codes. Checked with SQLite's EXPLAIN QUERY PLAN on the very SQL the code
 * builds (captured by a plugin). PostgreSQL chooses plans by statistics, so the check is
 * SQLite's; the migration itself runs on both engines in every test.
 */
import { CompiledQuery } from 'kysely';
import { AuditRepo } from '../audit/repo.js';
import type { KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import type { PasskeySignInDeps } from '../identity/passkeys/passkeySignIn.js';
import { PasskeySignIn } from '../identity/passkeys/passkeySignIn.js';
import { endSignInsOf } from '../identity/accountSecurity.js';
import { liveSessionsIn } from '../ops/metrics.js';
import { liveCodesIn } from '../ratelimit/codeGuessing.js';
import { SessionsRepo } from '../sessions/repo.js';
import { testPostgresUrl } from '../test/database.js';
import { useTestDatabase } from '../test/useTestDatabase.js';
import type { Db } from './client.js';

const onPostgres = testPostgresUrl() !== null;
const database = useTestDatabase('rh-plans-');

/** Runs `read` against a handle that records the SQL it sends; returns each statement's query plan. */
async function plansOf(read: (spy: Db) => Promise<unknown>): Promise<string[]> {
  const db = database();
  const seen: CompiledQuery[] = [];
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      seen.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  await read(db.withPlugin(capture));
  expect(seen.length).toBeGreaterThan(0);
  const plans: string[] = [];
  for (const q of seen) {
    const rows = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]),
    );
    plans.push(rows.rows.map((r) => r.detail).join('; '));
  }
  return plans;
}

it.skipIf(onPostgres)('a redeem counts live codes through the live-code index, not the tenant history', async () => {
  const [plan] = await plansOf((spy) => liveCodesIn(spy, { now: () => Date.now() })('tenant-a'));
  expect(plan).toMatch(/USING (COVERING )?INDEX help_sessions_live_code_idx/);
  expect(plan).not.toContain('help_sessions_tenant_idx');
});

it.skipIf(onPostgres)('a helper’s live sessions are read through the helper index', async () => {
  const [plan] = await plansOf((spy) => new SessionsRepo(spy).liveForHelper('tenant-a', 'helper-1'));
  expect(plan).toMatch(/USING INDEX help_sessions_helper_idx \(tenant_id=\? AND helper_id=\?\)/);
});

it.skipIf(onPostgres)('a code that is not live is looked up among spent ones through their index', async () => {
  const [plan] = await plansOf((spy) => new SessionsRepo(spy).findBySpentCode('tenant-a', 'hash'));
  expect(plan).toMatch(/USING INDEX help_sessions_spent_code_idx \(tenant_id=\? AND spent_code_hash=\?\)/);
});

it.skipIf(onPostgres)('a sign-in asks whether the person has passkeys through the passkeys index', async () => {
  // Only the database is used by this read.
  const signIn = (spy: Db) => new PasskeySignIn({ db: spy } as unknown as PasskeySignInDeps);
  const [plan] = await plansOf((spy) => signIn(spy).hasPasskeys({ id: 'user-1', tenant_id: 'tenant-a' }));
  expect(plan).toMatch(/USING (COVERING )?INDEX user_passkeys_user_idx \(tenant_id=\? AND user_id=\?\)/);
});

it.skipIf(onPostgres)('a metrics scrape counts live sessions by seeking each live state', async () => {
  const [plan] = await plansOf((spy) => liveSessionsIn(spy)());
  expect(plan).toMatch(/SEARCH help_sessions USING COVERING INDEX help_sessions_state_idx \(state=\?\)/);
  expect(plan).not.toMatch(/SCAN help_sessions/);
});

it.skipIf(onPostgres)(
  'an audit log page is read off the end of its tenant, not sorted from the whole log',
  async () => {
    const [plan] = await plansOf((spy) => new AuditRepo(spy).list('tenant-a', {}, 50));
    expect(plan).toMatch(/USING INDEX audit_events_tenant_id_idx \(tenant_id=\?\)/);
    expect(plan).not.toContain('TEMP B-TREE');
  },
);

it.skipIf(onPostgres)(
  "ending a person's sign-ins finds the provider's records through their person, not every record",
  async () => {
    const plans = await plansOf((spy) => endSignInsOf(spy, 'user-1'));
    const records = plans.find((plan) => plan.includes('oidc_payloads'));
    expect(records).toMatch(/USING INDEX oidc_payloads_account_idx \(account_id=\?\)/);
    expect(records).not.toMatch(/SCAN oidc_payloads/);
  },
);
