/**
 * @module ops/readiness
 * `GET /readyz`: 200 when this node can serve (the database answers a query, the bus answers
 * its ping, the node is not draining, it has files left for new connections: `openFiles.ts`),
 * 503 with the failing checks named otherwise, so a load balancer routes around a node that
 * lost its database or bus, one shutting down and one at its open-file limit.
 * `/healthz` (alive) stays as it is: a node without its database is alive, just not ready.
 */
import type { Bus } from '../bus/bus.js';
import type { Db } from '../db/client.js';
import { pingDatabase } from '../db/client.js';
import { openFilesCheck, processOpenFiles } from './openFiles.js';
import type { OpenFiles } from './openFiles.js';

/** One dependency check's result: `ok`, or the reason it failed (a short, fixed phrase). */
export type CheckResult = { ok: true } | { ok: false; error: string };

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckResult>;
}

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2000;

async function check(run: () => Promise<void>, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    // The message names the failure for an operator (e.g. "connect ECONNREFUSED"); no secrets reach it.
    const message = error instanceof Error ? error.message : 'failed';
    return { ok: false, error: message.replace(/\/\/[^@/\s]*@/g, '//').slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export class Readiness {
  private draining = false;

  constructor(
    private readonly o: {
      db: Db;
      bus: Bus;
      timeoutMs?: number;
      /** Where the open files are counted (default: this process, from `/proc`). */
      openFiles?: OpenFiles;
    },
  ) {}

  /** From now on `/readyz` says 503 `draining` (the node is shutting down). */
  drain(): void {
    this.draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const timeoutMs = this.o.timeoutMs ?? CHECK_TIMEOUT_MS;
    const bus = this.o.bus;
    const [database, busCheck, openFiles] = await Promise.all([
      check(() => pingDatabase(this.o.db), timeoutMs),
      check(async () => {
        if (bus.ping) await bus.ping();
      }, timeoutMs),
      openFilesCheck(this.o.openFiles ?? processOpenFiles),
    ]);
    const checks: Record<string, CheckResult> = { database, bus: busCheck };
    // Only where the platform says (Linux); elsewhere the check is left out rather than guessed.
    if (openFiles) checks.openFiles = openFiles;
    if (this.draining) checks.shutdown = { ok: false, error: 'draining' };
    const ready = Object.values(checks).every((c) => c.ok);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
