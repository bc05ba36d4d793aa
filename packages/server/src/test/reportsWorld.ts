/**
 * @module test/reportsWorld
 * Test support for the reports and audit tests: a Fabrikam administrator (the demo seed has
 * none) made the way the seed makes Contoso's, sessions run through the real API, and an
 * RFC 4180 reader to check the CSV exports with.
 */
import { hashPassword } from '../identity/passwords.js';
import { newId } from '../ids.js';
import type { Client, TestServer } from './harness.js';
import { DEMO_PASSWORD } from './harness.js';

/** Adds `email` to `tenantSlug` as an Administrator (a group, its member, a scope-all assignment). */
export async function addAdministrator(
  t: TestServer,
  tenantSlug: string,
  email: string,
  name: string,
): Promise<string> {
  const db = t.server.db;
  const tenant = await db.selectFrom('tenants').select('id').where('slug', '=', tenantSlug).executeTakeFirstOrThrow();
  const now = new Date().toISOString();
  const [userId, groupId, assignmentId] = [newId(), newId(), newId()];
  await db
    .insertInto('users')
    .values({
      id: userId,
      tenant_id: tenant.id,
      email,
      display_name: name,
      job_title: null,
      company: null,
      photo_mime: null,
      photo: null,
      password_hash: await hashPassword(DEMO_PASSWORD),
      roles: '[]',
      disabled: 0,
      created_at: now,
      updated_at: now,
    } as never)
    .execute();
  const group = { id: groupId, tenant_id: tenant.id, description: '', kind: 'user', rule: null };
  await db
    .insertInto('rbac_groups')
    .values({ ...group, name: `Admins ${email}`, created_at: now, updated_at: now })
    .execute();
  await db
    .insertInto('rbac_group_members')
    .values({ group_id: groupId, tenant_id: tenant.id, member_id: userId })
    .execute();
  await db
    .insertInto('rbac_assignments')
    .values({
      id: assignmentId,
      tenant_id: tenant.id,
      name: `Admins ${email}`,
      description: '',
      role_id: 'administrator',
      scope_all: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await db
    .insertInto('rbac_assignment_groups')
    .values({ assignment_id: assignmentId, group_id: groupId, tenant_id: tenant.id, relation: 'member' })
    .execute();
  return userId;
}

/** The id of a person by email. */
export async function userId(t: TestServer, email: string): Promise<string> {
  const row = await t.server.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return row.id;
}

/** A helper offers a session and a web sharer joins it with the code; returns its id. */
export async function joined(helper: Client, sharer: Client): Promise<string> {
  const created = await helper.post('/api/v1/sessions', {});
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  const id = (created.body.session as { id: string }).id;
  const redeemed = await sharer.post('/api/v1/sessions/redeem', { code: created.body.code });
  if (redeemed.status !== 200) throw new Error(`redeem: ${JSON.stringify(redeemed.body)}`);
  return id;
}

/** The helper asks for view only and the sharer allows it. */
export async function viewing(helper: Client, sharer: Client, id: string): Promise<void> {
  if ((await helper.post(`/api/v1/sessions/${id}/request`, { mode: 'view' })).status !== 200)
    throw new Error('request');
  if ((await sharer.post(`/api/v1/sessions/${id}/respond`, { allow: true })).status !== 200) throw new Error('respond');
}

/** Reads RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks); the BOM must be stripped first. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      [row, field] = [[], ''];
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}
