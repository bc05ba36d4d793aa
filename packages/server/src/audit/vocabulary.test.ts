/**
 * The audit log writes only actions of the protocol's vocabulary (`AUDIT_ACTIONS`): the
 * compiler refuses others (the `@ts-expect-error` lines below fail the typecheck if that
 * ever stops), and a cast around the compiler is refused when the event is written.
 */
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.js';
import { migrate, openDatabase } from '../db/client.js';
import { AuditLog } from './audit.js';
import type { AuditEntry } from './audit.js';

let db: Db;
let audit: AuditLog;
beforeAll(async () => {
  db = openDatabase({ kind: 'sqlite', file: ':memory:' });
  await migrate(db);
  audit = new AuditLog(db, { now: () => Date.parse('2026-03-01T00:00:00Z') });
});
afterAll(async () => db?.destroy());

const count = async () =>
  Number(
    (
      await db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the audit vocabulary', () => {
  it('is a set of `domain.event` names without duplicates', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const action of AUDIT_ACTIONS) expect(action).toMatch(/^[a-z_]+\.[a-z_A-Z]+$/);
    expect(new Set(AUDIT_TARGET_TYPES).size).toBe(AUDIT_TARGET_TYPES.length);
  });

  it('the compiler refuses an action or a target type outside it', () => {
    const system = { type: 'system', id: null } as const;
    // @ts-expect-error 'session.teleported' is not in AUDIT_ACTIONS
    const unknownAction: AuditEntry = { tenantId: null, actor: system, action: 'session.teleported' };
    const unknownTarget: AuditEntry = {
      tenantId: null,
      actor: system,
      action: 'tenant.seeded',
      // @ts-expect-error 'planet' is not in AUDIT_TARGET_TYPES
      target: { type: 'planet', id: 'x' },
    };
    expect([unknownAction.action, unknownTarget.target?.type]).toEqual(['session.teleported', 'planet']);
  });

  it('an action or target type cast past the compiler is refused when written, and nothing is stored', async () => {
    const before = await count();
    const entry = { tenantId: null, actor: { type: 'system', id: null } } as const;
    await expect(audit.record({ ...entry, action: 'session.teleported' as AuditEntry['action'] })).rejects.toThrow(
      /outside the vocabulary: session.teleported/,
    );
    await expect(
      audit.record({ ...entry, action: 'tenant.seeded', target: { type: 'planet' as 'tenant', id: 'x' } }),
    ).rejects.toThrow(/outside the vocabulary: planet/);
    expect(await count()).toBe(before);
  });

  it('every action of the vocabulary can be written', async () => {
    const before = await count();
    for (const action of AUDIT_ACTIONS)
      await audit.record({ tenantId: null, actor: { type: 'system', id: null }, action });
    expect(await count()).toBe(before + AUDIT_ACTIONS.length);
  });
});
