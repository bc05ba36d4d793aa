/**
 * @module ops/openFiles
 * The node's open files against its limit (Linux, from `/proc`). Every WebSocket is one, so a
 * node's live sessions end at about half its limit. At the limit the kernel refuses `accept`,
 * and libuv answers by closing every waiting connection at once, without an error reaching the
 * server: users' connections are reset and the log says nothing (the load bench's 49 resets at
 * 19,992 of 20,000 files). So the node says it early: `/readyz` turns 503 (check `openFiles`) while
 * fewer than {@link headroom} files are left, so a load balancer sends newcomers to another
 * node, and a warning names the limit and how to raise it once 90 % of it is used.
 */
import { readFile, readdir } from 'node:fs/promises';
import type { CheckResult } from './readiness.js';

export interface OpenFiles {
  /** The soft limit on open files (`ulimit -n`), or null when unknown or unlimited. */
  limit(): Promise<number | null>;
  /** Files open now, or null when this platform does not say. */
  count(): Promise<number | null>;
}

/** `Max open files` of a `/proc/<pid>/limits` text: the soft limit, or null when unlimited or absent. */
export function parseOpenFileLimit(limitsText: string): number | null {
  const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
}

/** This process's open files, from `/proc/self` (Linux). The listing runs on the thread pool. */
export const processOpenFiles: OpenFiles = {
  async limit() {
    try {
      return parseOpenFileLimit(await readFile('/proc/self/limits', 'utf8'));
    } catch {
      return null;
    }
  },
  async count() {
    try {
      // Minus the descriptor the listing itself holds open.
      return (await readdir('/proc/self/fd')).length - 1;
    } catch {
      return null;
    }
  },
};

/** Files kept free for the node's own work (the database, logs, a scrape, an upgrade in flight): 5 %, at least 64. */
export function headroom(limit: number): number {
  return Math.max(64, Math.ceil(limit * 0.05));
}

/** The count at which the log warns: 90 % of the limit (never above the point where the node is full). */
export function warnAt(limit: number): number {
  return Math.min(Math.floor(limit * 0.9), limit - headroom(limit));
}

/** The count and the limit read together, or null when the platform does not say either. */
async function usage(files: OpenFiles): Promise<{ count: number; limit: number } | null> {
  const [limit, count] = await Promise.all([files.limit(), files.count()]);
  return limit === null || count === null ? null : { count, limit };
}

/** `/readyz`'s `openFiles` check: failing while fewer than {@link headroom} files are left. */
export async function openFilesCheck(files: OpenFiles): Promise<CheckResult | null> {
  const now = await usage(files);
  if (!now) return null;
  const { count, limit } = now;
  return count > limit - headroom(limit) ? { ok: false, error: `${count} of ${limit} open files` } : { ok: true };
}

interface WarnLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Looks at the count every `intervalMs` and logs when it crosses 90 % of the limit (once per
 * crossing) and when it is back under 80 %.
 */
export class OpenFilesWatch {
  private warned = false;
  private timer: NodeJS.Timeout | null = null;
  private looking = false;

  constructor(private readonly o: { files: OpenFiles; log: WarnLog; intervalMs?: number }) {}

  start(): void {
    this.timer = setInterval(() => void this.look(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look (what the timer runs). */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const now = await usage(this.o.files);
      if (!now) return;
      const { count, limit } = now;
      if (!this.warned && count >= warnAt(limit)) {
        this.warned = true;
        this.o.log.warn(
          { openFiles: count, limit },
          `${count} of ${limit} open files: at the limit new connections are reset without an error; ` +
            'raise it (systemd LimitNOFILE=, ulimit -n) or add a node. Each connected participant holds one.',
        );
      } else if (this.warned && count < Math.floor(limit * 0.8)) {
        this.warned = false;
        this.o.log.info({ openFiles: count, limit }, `${count} of ${limit} open files: back under 80 % of the limit`);
      }
    } finally {
      this.looking = false;
    }
  }
}
