/**
 * @module audit/chain
 * The audit log is a hash chain per organization (ADR 0035): each event carries its place in
 * its organization's chain (`seq`, 1, 2, 3…), the hash of the event before it (`prev_hash`) and
 * its own hash, SHA-256 over a versioned, fixed serialisation of what it records. Editing,
 * deleting or inserting an event in the middle breaks every link after it unless all the later
 * hashes are recomputed, and recomputed hashes no longer match a chain head (`seq` and `hash`)
 * kept outside the database: the server logs each organization's head every hour, every CSV
 * export carries the hashes, and an administrator can note the head the integrity check shows.
 * Without such an anchor the chain proves nothing against someone who can write the database.
 *
 * Events without an organization (a sign-in with an unknown account) form one chain of their own.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.js';

/** `prev_hash` of each chain's first event. */
export const GENESIS_HASH = '0'.repeat(64);
/** Changing what is hashed means a new version; this one's text never changes. */
const VERSION = 'rh-audit-v1';

/** The stored columns an event's hash covers (`id` is not: it is the database's, not the log's). */
export interface ChainedFields {
  tenant_id: string | null;
  seq: number;
  prev_hash: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  data: string | null;
}

/** The event's hash: lowercase hex SHA-256 of the version line and a JSON array of the fields in a fixed order. */
export function eventHash(e: ChainedFields): string {
  const fields = [
    e.tenant_id,
    e.seq,
    e.prev_hash,
    e.at,
    e.actor_type,
    e.actor_id,
    e.action,
    e.target_type,
    e.target_id,
    e.ip,
    e.data,
  ];
  return createHash('sha256')
    .update(`${VERSION}\n${JSON.stringify(fields)}`)
    .digest('hex');
}

/** A place in a chain: an event's number and hash. */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/** The newest event of a chain (null: the chain has none). Read it under the chain's lock. */
export async function chainHead(db: Db, tenantId: string | null): Promise<ChainPoint | null> {
  const row = await db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && row.seq !== null && row.hash !== null ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** The key `lockForTransaction` serialises one chain's writers on. */
export function chainLockKey(tenantId: string | null): string {
  return `audit-chain:${tenantId ?? ''}`;
}

/** Where and why the chain stops holding. */
export type ChainBreakReason =
  /** The event's fields no longer give its stored hash: it was edited. */
  | 'hash_mismatch'
  /** The event does not name the hash of the event before it: one was edited, removed or put in. */
  | 'link_mismatch'
  /** Numbers missing between two events: events were removed. */
  | 'seq_gap'
  /**
   * An event of the organization outside the chain the check reads (numbers 1, 2, 3…): without a
   * number or a hash, or numbered below 1. Written around the service.
   */
  | 'unchained';

export interface ChainBreak {
  /** The event's id, and its number (null for an unchained event, whatever number it holds). */
  id: number;
  seq: number | null;
  reason: ChainBreakReason;
}

export interface AnchorResult extends ChainPoint {
  /**
   * `matches`: the event with that number still has that hash; `differs`: it does not; `missing`: no
   * kept event has that number and it is newer than the oldest kept (events were removed from the
   * end); `pruned`: it is older than the oldest kept event (removed by retention, or by someone who
   * removed the oldest events: either way it can no longer be compared).
   */
  result: 'matches' | 'differs' | 'missing' | 'pruned';
}

export interface ChainReport {
  /** Events read. */
  events: number;
  /** The oldest event kept (older ones were removed by retention) and the newest. */
  first: (ChainPoint & { at: string }) | null;
  head: (ChainPoint & { at: string }) | null;
  /** The first place the chain does not hold, null if it holds from `first` to `head`. */
  break: ChainBreak | null;
  anchors: AnchorResult[];
}

/** Events read per query while checking. */
const PAGE = 1000;

/**
 * Reads one organization's chain from its oldest kept event to its newest and checks every hash
 * and every link; `anchors` (heads noted earlier, outside the database) are compared on the way.
 * The oldest kept event's own link is taken as given: what came before it was pruned. Every other
 * event of the organization (no number, a number below 1, no hash) is outside that walk and is a
 * break (`unchained`): otherwise an event put in at number 0, or the oldest events moved below 1,
 * would be listed and exported while the check said intact, the moved ones passing for pruned.
 */
export async function verifyChain(db: Db, tenantId: string | null, anchors: ChainPoint[] = []): Promise<ChainReport> {
  const wanted = new Map(anchors.map((a) => [a.seq, a.hash]));
  const seen = new Map<number, string>();
  const report: ChainReport = { events: 0, first: null, head: null, break: null, anchors: [] };
  const unchained = await db
    .selectFrom('audit_events')
    .select('id')
    .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
    .where((eb) =>
      eb.or([eb('seq', 'is', null), eb('seq', '<', 1), eb('hash', 'is', null), eb('prev_hash', 'is', null)]),
    )
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  let previous: ChainPoint | null = null;
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom('audit_events')
      .select([
        'id',
        'tenant_id',
        'seq',
        'prev_hash',
        'hash',
        'at',
        'actor_type',
        'actor_id',
        'action',
        'target_type',
        'target_id',
        'ip',
        'data',
      ])
      .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
      // The walk: numbers 1 and up (`unchained` above finds the rest).
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      const hash = row.hash ?? '';
      report.events += 1;
      if (wanted.has(seq)) seen.set(seq, hash);
      report.first ??= { seq, hash, at: row.at };
      report.head = { seq, hash, at: row.at };
      if (report.break) continue;
      const fields = { ...row, seq, prev_hash: row.prev_hash ?? '' };
      if (eventHash(fields) !== hash) report.break = { id: row.id, seq, reason: 'hash_mismatch' };
      else if (previous && seq !== previous.seq + 1) report.break = { id: row.id, seq, reason: 'seq_gap' };
      else if (previous ? fields.prev_hash !== previous.hash : seq === 1 && fields.prev_hash !== GENESIS_HASH)
        report.break = { id: row.id, seq, reason: 'link_mismatch' };
      previous = { seq, hash };
    }
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) break;
    after = Number(last.seq);
  }
  if (unchained && (!report.break || unchained.id < report.break.id))
    report.break = { id: unchained.id, seq: null, reason: 'unchained' };
  report.anchors = anchors.map((a) => {
    const found = seen.get(a.seq);
    const pruned = report.first !== null && a.seq < report.first.seq;
    const result = found === undefined ? (pruned ? 'pruned' : 'missing') : found === a.hash ? 'matches' : 'differs';
    return { ...a, result };
  });
  return report;
}
