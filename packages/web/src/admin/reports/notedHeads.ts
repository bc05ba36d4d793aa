/**
 * @module admin/reports/notedHeads
 * The heads of the audit chain an administrator noted earlier (ADR 0035), as typed or pasted
 * into the integrity check: one per line, the event number and its hash (`1234 9f86…`, also
 * `#1234: 9f86…`), the way the check's Copy button writes them. Blank lines are skipped.
 */
import type { AuditChainPoint } from '@remote-help/protocol';
import { AUDIT_ANCHORS_MAX } from '@remote-help/protocol';

const LINE = /^#?(\d{1,15})[\s:,;]+([0-9a-fA-F]{64})$/;

export type NotedHeads =
  | { ok: true; heads: AuditChainPoint[] }
  /** `line`: the first line that is not a head (1-based); `tooMany`: more than `AUDIT_ANCHORS_MAX`. */
  | { ok: false; line: number }
  | { ok: false; tooMany: number };

/** See the module description. */
export function parseNotedHeads(text: string): NotedHeads {
  const heads: AuditChainPoint[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = LINE.exec(line);
    const seq = Number(m?.[1]);
    if (!m?.[2] || !Number.isSafeInteger(seq) || seq < 1) return { ok: false, line: i + 1 };
    heads.push({ seq, hash: m[2].toLowerCase() });
  }
  return heads.length > AUDIT_ANCHORS_MAX ? { ok: false, tooMany: AUDIT_ANCHORS_MAX } : { ok: true, heads };
}

/** A head as the Copy button writes it (and `parseNotedHeads` reads it back). */
export const headText = (head: AuditChainPoint): string => `${head.seq} ${head.hash}`;
