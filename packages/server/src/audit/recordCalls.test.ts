/**
 * A change and its audit record commit together through `AuditLog.together`
 * (`together.integration.test` shows it command by command). This test reads the server's source
 * so that a new call cannot slip back to the old ways: an `audit.record(entry)` without a
 * transaction must record an event (something that happened, such as a failed sign-in or an
 * export), never a change of its own; the list below names them. And no call passes a
 * transaction of its own (`record(entry, trx)` inside a `db.transaction()`): that event was never
 * logged with `AUDIT_TO_LOG` (only `together` emits once committed), and the chain's lock was
 * taken before the change's later writes instead of last (ADR 0035). `record` refuses it at run
 * time too; this finds it before anything runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Actions recorded on their own: events, and changes whose writes the recording code does not make. */
const EVENTS = new Set([
  'app.signed_in',
  'app.signed_out',
  'audit.exported',
  'audit.verified',
  'chat.thread_read',
  'reports.sessions_exported',
  'retention.pruned',
  'security.code_guessing_suspected',
  'session.code_rejected',
  'session.join_refused',
  'session.out_of_scope',
  'signin.blocked_by_policy',
  'signin.failed',
  'signin.mfa_failed',
  'signin.passkey_failed',
  'signin.recovery_code_used',
  'signin.succeeded',
]);

interface Call {
  where: string;
  args: string[];
  action: string | null;
}

/** The top-level arguments of the call whose `(` is at `open`. */
function argumentsAt(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) break;
      depth--;
    }
    if (c === ',' && depth === 0) {
      args.push(current);
      current = '';
    } else current += c;
  }
  args.push(current);
  return args.map((a) => a.trim()).filter(Boolean);
}

function recordCalls(): Call[] {
  const calls: Call[] = [];
  for (const name of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!name.endsWith('.ts') || name.includes('.test.') || name.startsWith(`test/`)) continue;
    const text = readFileSync(join(SRC, name), 'utf8');
    for (const m of text.matchAll(/audit\.record\(/g)) {
      const open = (m.index ?? 0) + m[0].length - 1;
      const args = argumentsAt(text, open);
      const found = /action:\s*'([^']+)'|byPerson\(\s*\w+,\s*'([^']+)'/.exec(args[0] ?? '');
      const action = found?.[1] ?? found?.[2] ?? null;
      const line = text.slice(0, open).split('\n').length;
      calls.push({ where: `${relative(SRC, join(SRC, name))}:${line}`, args, action });
    }
  }
  return calls;
}

describe('audit records and their changes', () => {
  const calls = recordCalls();

  it('finds the calls it checks, with their arguments', () => {
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.every((c) => c.args.length >= 1)).toBe(true);
    const sample =
      "await this.d.audit.record(\n  byPerson(principal, 'user.updated', { type: 'user', id }),\n  trx,\n);";
    expect(argumentsAt(sample, sample.indexOf('('))).toHaveLength(2);
  });

  it('passes no transaction to record: a change records through together', () => {
    const inTransaction = calls.filter((c) => c.args.length > 1);
    expect(
      inTransaction.map((c) => `${c.where} ${c.action ?? '(action not a literal)'}`),
      'record(entry, trx) inside a transaction of its own is never logged (AUDIT_TO_LOG) and locks the chain too early: use AuditLog.together',
    ).toEqual([]);
  });

  it('records on its own (without the change’s transaction) only the events it lists', () => {
    const alone = calls.filter((c) => c.args.length < 2 && !(c.action && EVENTS.has(c.action)));
    expect(
      alone.map((c) => `${c.where} ${c.action ?? '(action not a literal)'}`),
      'record a change with AuditLog.together',
    ).toEqual([]);
  });

  it('lists no event that nothing records (the list stays the truth)', () => {
    const recorded = new Set(calls.map((c) => c.action));
    expect([...EVENTS].filter((a) => !recorded.has(a))).toEqual([]);
  });
});
