/**
 * The server nodes of a load run: `packages/server/dist/main.js`, what `npm start` runs (built by
 * `run.mjs` when stale), one child process per node in its own process
 * group, listening on 127.0.0.1; stopped with SIGTERM (graceful) and then SIGKILL. What the
 * bench reads of them: CPU from `/proc/<pid>/stat`, and `/metrics` (RSS, heap, event-loop lag,
 * WebSockets, the server's own relay histogram) with a bench token.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The server's entry, relative to the repository: the last word of the `start` script. */
export const SERVER_ENTRY = 'packages/server/dist/main.js';

/**
 * The Node flags of the root package.json's `start` script (its last command,
 * `node <flags> packages/server/dist/main.js`), so that the bench's nodes run as `npm start` does.
 * Throws when the script no longer has that shape rather than bench something else.
 */
export function startScriptNodeFlags(repo: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const last = (pkg.scripts?.start ?? '').split('&&').pop()!.trim().split(/\s+/);
  if (last[0] !== 'node' || last[last.length - 1] !== SERVER_ENTRY) {
    throw new Error(`package.json's start script does not end in "node … ${SERVER_ENTRY}": ${pkg.scripts?.start}`);
  }
  return last.slice(1, -1);
}

/** Every server node's Node flags: the start script's, then `BENCH_SERVER_NODE_ARGS`'s. */
export function serverNodeArgs(repo: string): string[] {
  return [...startScriptNodeFlags(repo), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
}

export interface NodeOptions {
  repo: string;
  port: number;
  env: Record<string, string>;
  /** Directory for a `--cpu-prof` profile, or null. */
  cpuProfDir: string | null;
  name: string;
}

export class ServerNode {
  readonly url: string;
  private exited = false;
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    port: number,
    readonly metricsToken: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    child.once('exit', () => (this.exited = true));
  }

  static async start(o: NodeOptions, timeoutMs = 60_000): Promise<ServerNode> {
    // What `npm start` runs: the build output (bench/load/run.mjs builds it when stale) with the
    // start script's Node flags, plus extra flags for an experiment (`BENCH_SERVER_NODE_ARGS="--flag …"`).
    const args = serverNodeArgs(o.repo);
    if (o.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${join(o.cpuProfDir, o.name)}`);
    args.push(join(o.repo, SERVER_ENTRY));
    const token = o.env.METRICS_TOKEN ?? '';
    const child = spawn(process.execPath, args, {
      cwd: o.repo,
      env: { ...process.env, ...o.env, PORT: String(o.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const node = new ServerNode(o.name, child, o.port, token);
    let log = '';
    child.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${o.name} did not start in time: ${log}`)), timeoutMs);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Remote Help is running at')) {
          clearTimeout(timer);
          resolve();
        }
        if (out.length > 100_000) out = out.slice(-10_000);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${o.name} exited (${code}) while starting: ${log}`));
      });
    });
    // BENCH_SERVER_STDOUT=<path>: each node's output kept in <path>.<node> (what --trace-gc prints).
    if (process.env.BENCH_SERVER_STDOUT)
      child.stdout!.pipe(createWriteStream(`${process.env.BENCH_SERVER_STDOUT}.${o.name}`));
    // Keep draining its output so that a full pipe never blocks the server.
    child.stdout!.resume();
    return node;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * The node's processes: the one `npm start` runs, and with `WORKERS` > 1 its workers (its children;
   * a worker restarted mid-run is counted from its start, the dead one's time is lost to the sums).
   */
  pids(): number[] {
    try {
      const children = readdirSync(`/proc/${this.pid}/task`).flatMap((task) =>
        readFileSync(`/proc/${this.pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
      );
      return [this.pid, ...children];
    } catch {
      return [this.pid];
    }
  }

  /** utime + stime of the node's processes so far, ms. */
  cpuMs(): number {
    let total = 0;
    for (const pid of this.pids()) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // fields[11], [12] = utime, stime (fields 14 and 15 of stat(5), counted after the command).
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      } catch {
        // gone since listed
      }
    }
    return this.exited ? NaN : total;
  }

  /**
   * Time the node's main threads (event loops) spent runnable but waiting for a CPU so far, ms
   * (`/proc/<pid>/schedstat`, second field), the most of any of its processes: on a shared machine,
   * the share of the wall clock the server wanted to run and could not.
   */
  runQueueWaitMs(): number {
    let most = NaN;
    for (const pid of this.pids()) {
      try {
        const wait = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
        most = Number.isNaN(most) ? wait : Math.max(most, wait);
      } catch {
        // gone since listed
      }
    }
    return most;
  }

  /** Open file descriptors of the node's processes (each process has its own limit). */
  openFds(): number {
    let total = 0;
    for (const pid of this.pids()) {
      try {
        total += readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        // gone since listed
      }
    }
    return this.exited ? NaN : total;
  }

  /** The metrics the bench reads, from `/metrics`. */
  async metrics(): Promise<ServerMetrics> {
    const res = await fetch(`${this.url}/metrics`, {
      headers: { authorization: `Bearer ${this.metricsToken}` },
      signal: AbortSignal.timeout(20_000),
    });
    if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
    return parseMetrics(await res.text());
  }

  /** SIGTERM, then SIGKILL of the whole group after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await done;
    clearTimeout(timer);
  }

  /** For exit handlers: kill at once, synchronously. */
  kill(): void {
    if (this.exited) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface ServerMetrics {
  rssBytes: number;
  heapUsedBytes: number;
  lagP99Ms: number;
  lagMeanMs: number;
  lagMaxMs: number;
  websockets: number;
  /** The server's own signaling relay histogram: cumulative bucket counts by upper bound (s). */
  relayBuckets: [number, number][];
  relayCount: number;
  relaySum: number;
  /** SQL statements the node has sent to its database since it started (`remote_help_db_statements_total`). */
  dbStatements: number;
}

const value = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

export function parseMetrics(text: string): ServerMetrics {
  const relayBuckets: [number, number][] = [];
  for (const m of text.matchAll(/^remote_help_signal_relay_seconds_bucket\{le="([^"]+)"\} ([0-9.eE+-]+)$/gm)) {
    relayBuckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  return {
    rssBytes: value(text, 'process_resident_memory_bytes'),
    heapUsedBytes: value(text, 'nodejs_heap_size_used_bytes'),
    lagP99Ms: value(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMeanMs: value(text, 'nodejs_eventloop_lag_mean_seconds') * 1000,
    lagMaxMs: value(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
    websockets: value(text, 'remote_help_websocket_connections'),
    relayBuckets,
    relayCount: value(text, 'remote_help_signal_relay_seconds_count'),
    relaySum: value(text, 'remote_help_signal_relay_seconds_sum'),
    dbStatements: value(text, 'remote_help_db_statements_total'),
  };
}

/** The quantile `q` of a histogram's increase between two scrapes, as the upper bound of its bucket (s). */
export function histogramQuantile(before: [number, number][], after: [number, number][], q: number): number {
  const diff = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = diff[diff.length - 1]?.[1] ?? 0;
  if (!total) return NaN;
  for (const [le, n] of diff) if (n >= q * total) return le;
  return Infinity;
}
