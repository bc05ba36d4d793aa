/**
 * `presentSession` looks the organization and the two people up once per row object: a feed
 * presents the row it loaded to both roles. Real repository on a migrated test database; the
 * repository's methods are only counted (they still run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Db } from '../db/client.js';
import { openTestDatabase } from '../test/database.js';
import { activeSessionRow } from '../test/sessionRow.js';
import { UsersRepo } from '../users/repo.js';
import { presentSession, rememberPeople } from './presenter.js';
import type { SessionRow } from './repo.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-presenter-'));
let db: Db;
let close: () => Promise<void>;
const now = new Date().toISOString();

beforeAll(async () => {
  ({ db, close } = await openTestDatabase(dir));
  await db
    .insertInto('tenants')
    .values({
      id: 't1',
      name: 'Org',
      slug: 'org',
      remote_help_enabled: 1,
      allow_unenrolled: 1,
      code_ttl_seconds: null,
      created_at: now,
    })
    .execute();
  for (const [id, name] of [
    ['h1', 'Helper'],
    ['s1', 'Sharer'],
  ] as const) {
    await db
      .insertInto('users')
      .values({
        id,
        tenant_id: 't1',
        email: `${id}@org.example`,
        display_name: name,
        job_title: null,
        company: null,
        photo_mime: null,
        photo: null,
        password_hash: null,
        roles: '[]',
        disabled: 0,
        created_at: now,
        updated_at: now,
        locale: null,
      })
      .execute();
  }
});
afterAll(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (version: number): SessionRow => activeSessionRow(version, now);

it('looks people up once per row object, and again for a new row', async () => {
  const users = new UsersRepo(db);
  const people = vi.spyOn(users, 'findManyById');
  const organization = vi.spyOn(users, 'cardContext');
  const noDevice = async () => null;
  const first = row(3);
  const asHelper = await presentSession(users, first, 'helper', true, noDevice);
  const asSharer = await presentSession(users, first, 'sharer', true, noDevice);
  expect([asHelper.role, asSharer.role]).toEqual(['helper', 'sharer']);
  expect(asHelper.helper.displayName).toBe('Helper');
  expect(asSharer.sharer?.displayName).toBe('Sharer');
  expect(asSharer.helper).toEqual(asHelper.helper);
  // One query for the organization (name and domains), one for both people.
  expect([people.mock.calls.length, organization.mock.calls.length]).toEqual([1, 1]);

  // A renamed person shows in the next row loaded, never from the earlier row's lookups.
  await db.updateTable('users').set({ display_name: 'Renamed' }).where('id', '=', 's1').execute();
  const next = await presentSession(users, row(4), 'helper', true, noDevice);
  expect(next.sharer?.displayName).toBe('Renamed');
  expect([people.mock.calls.length, organization.mock.calls.length]).toEqual([2, 2]);
});

it('cards carry the organization name and its held domains, as the single lookups gave them', async () => {
  await db
    .insertInto('tenant_domains')
    .values([
      { tenant_id: 't1', domain: 'org.example', method: 'dns', verified_at: now, created_at: now },
      { tenant_id: 't1', domain: 'pending.example', method: 'dns', verified_at: null, created_at: now },
    ])
    .execute();
  const users = new UsersRepo(db);
  const view = await presentSession(users, row(6), 'helper', true, async () => null);
  expect(view.helper).toMatchObject({ tenantName: 'Org', verifiedDomain: 'org.example', assertedDomain: null });
  expect(await users.cardContext('t1')).toEqual({
    tenantName: 'Org',
    domains: await users.heldDomains('t1'),
  });
  expect(await users.cardContext('no-such-tenant')).toBeUndefined();
  // A waiting session has no sharer: one person looked up, no sharer card.
  const waiting = await presentSession(users, { ...row(7), sharer_id: null }, 'helper', false, async () => null);
  expect(waiting.sharer).toBeNull();
  expect(waiting.helper.displayName).toBe('Helper');
});

it('does not keep a failed lookup', async () => {
  const users = new UsersRepo(db);
  const people = vi.spyOn(users, 'findManyById').mockRejectedValueOnce(new Error('database away'));
  const r = row(5);
  await expect(presentSession(users, r, 'helper', true, async () => null)).rejects.toThrow('database away');
  const view = await presentSession(users, r, 'helper', true, async () => null);
  expect(view.helper.displayName).toBe('Helper');
  expect(people).toHaveBeenCalledTimes(2);
});

it('presents a row from the cards another node carried with it, and takes no cards of other people', async () => {
  const users = new UsersRepo(db);
  const people = vi.spyOn(users, 'findManyById');
  const organization = vi.spyOn(users, 'cardContext');
  const noDevice = async () => null;
  const looked = await presentSession(users, row(8), 'helper', true, noDevice);
  const cards = { helper: looked.helper, sharer: looked.sharer };
  expect([people.mock.calls.length, organization.mock.calls.length]).toEqual([1, 1]);

  const carried = row(9);
  rememberPeople(users, carried, cards);
  expect(await presentSession(users, carried, 'sharer', true, noDevice)).toMatchObject(cards);
  expect([people.mock.calls.length, organization.mock.calls.length]).toEqual([1, 1]);

  // Cards of someone else (a helper or sharer the row does not name) are not kept: the row is looked up.
  const other = { ...row(10), sharer_id: 'h1' };
  rememberPeople(users, other, cards);
  const view = await presentSession(users, other, 'helper', true, noDevice);
  expect(view.sharer?.displayName).toBe('Helper');
  expect([people.mock.calls.length, organization.mock.calls.length]).toEqual([2, 2]);
});
