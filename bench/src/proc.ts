/**
 * Child processes of the bench: spawned in their own process group (so their children die
 * with them), optionally inside a network namespace, all registered so that `cleanupAll`
 * stops every one of them, even after a failure. Also CPU accounting from /proc.
 */
import { spawn, execFileSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running = new Set<Proc>();
const cleanups: (() => Promise<void> | void)[] = [];

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The bench's clock: CLOCK_MONOTONIC in ms (`process.hrtime`), the same clock in every Node
 * process of the machine. Page times are mapped onto it by a measured offset (viewer.ts).
 */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

export interface StartOptions {
  /** Network namespace to run in (`ip netns exec`), if any. */
  netns?: string | undefined;
  env?: Record<string, string | undefined>;
  /** Keep stdin open as a pipe (for command protocols). */
  stdin?: boolean;
  /** Extra stdio descriptors beyond 0..2. */
  extraFds?: number;
  cwd?: string;
}

/** Spawns `command args` (in `netns` when given), registered for cleanup. */
export function start(name: string, command: string, args: string[], options: StartOptions = {}): Proc {
  const [cmd, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, command, ...args]] : [command, args];
  const stdio: SpawnOptions['stdio'] = [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  for (let i = 0; i < (options.extraFds ?? 0); i++) (stdio as string[]).push('pipe');
  const child = spawn(cmd, argv, {
    stdio,
    detached: true,
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
  });
  let err = '';
  let out = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  if (!options.stdin) {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const proc: Proc = {
    name,
    child,
    pid: child.pid ?? -1,
    stderr: () => err,
    stdout: () => out,
    exited,
    stop: async () => {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null || proc.pid < 0) return;
      killGroup(proc.pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!done) {
        killGroup(proc.pid, 'SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
      // Whatever is left of the group (children that ignored SIGTERM).
      killGroup(proc.pid, 'SIGKILL');
    },
  };
  running.add(proc);
  return proc;
}

/** "name running" or "name exited 1 (stderr: …its last lines)", each process of `procs`. */
export function procsStatus(procs: Proc[]): string {
  return procs
    .map((p) => {
      const { exitCode, signalCode } = p.child;
      const state = exitCode === null && signalCode === null ? 'running' : `exited ${exitCode ?? signalCode}`;
      const tail = p.stderr().trim().slice(-600);
      return `${p.name} ${state}${tail ? ` (stderr: …${tail})` : ''}`;
    })
    .join('; ');
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Registers an extra cleanup step (namespaces, temp dirs), run in reverse order. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Stops every registered process, then runs the cleanup steps. Never throws. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop().catch(() => undefined)));
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn?.();
    } catch (error) {
      log(`cleanup step failed: ${String(error)}`);
    }
  }
}

/** Runs a short command synchronously (10 s bound) and returns stdout. */
export function run(command: string, args: string[], timeoutMs = 10_000): string {
  return execFileSync(command, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves when `predicate` holds (polled every 10 ms), rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

const TICKS = Number(run('getconf', ['CLK_TCK']).trim()) || 100;

/** utime + stime of `pid` in ms, or null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return null;
  }
}

/** CPU ms of each thread of `pid`, summed by thread name (`/proc/<pid>/task/<tid>/stat`). */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // the thread ended
    }
  }
  return byName;
}

/** `pid` and all its descendants (from /proc). */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child);
  }
  return tree;
}

/** A CPU meter over a set of process groups: start(), then stop() gives % of one core per group. */
export class CpuMeter {
  #groups: Record<string, number[]>;
  #start = new Map<number, number>();
  #t0 = 0;

  /** `groups`: name → root pids (descendants included). */
  constructor(groups: Record<string, number[]>) {
    this.#groups = Object.fromEntries(
      Object.entries(groups).map(([name, pids]) => [name, pids.flatMap((p) => processTree(p))]),
    );
  }

  start(): void {
    this.#t0 = performance.now();
    for (const pids of Object.values(this.#groups))
      for (const pid of pids) {
        const ms = cpuMs(pid);
        if (ms !== null) this.#start.set(pid, ms);
      }
  }

  /** % of one core per group over the interval since start(). */
  stop(): Record<string, number> {
    const elapsed = performance.now() - this.#t0;
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.#groups)) {
      let used = 0;
      for (const pid of pids) {
        const before = this.#start.get(pid);
        const after = cpuMs(pid);
        if (before !== undefined && after !== null) used += after - before;
      }
      out[name] = Math.round((used / elapsed) * 1000) / 10;
    }
    return out;
  }
}

/** A line-oriented JSON command channel over a child's stdin/stdout. */
export class LineChannel {
  #buffer = '';
  #waiters: { match: (msg: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  readonly messages: Record<string, unknown>[] = [];
  readonly #proc: Proc;

  constructor(proc: Proc) {
    this.#proc = proc;
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        const waiter = this.#waiters.find((w) => w.match(msg));
        if (waiter) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(msg);
        } else this.messages.push(msg);
      }
    });
  }

  send(msg: Record<string, unknown>): void {
    this.#proc.child.stdin?.write(`${JSON.stringify(msg)}\n`);
  }

  /** Waits for the next message matching `match` (already-buffered ones first). */
  next(
    match: (msg: Record<string, unknown>) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Record<string, unknown>> {
    const idx = this.messages.findIndex(match);
    if (idx >= 0) return Promise.resolve(this.messages.splice(idx, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const fail = (why: string) => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        clearTimeout(timer);
        reject(
          new Error(`${this.#proc.name}: ${why} waiting for ${what}; stderr: ${this.#proc.stderr().slice(-2000)}`),
        );
      };
      void this.#proc.exited.then((code) => setTimeout(() => fail(`exited (${String(code)})`), 50));
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `${this.#proc.name}: timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.#proc.stderr().slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Sends a command with an id and waits for the reply carrying the same id. */
  async request(msg: Record<string, unknown>, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const id = Math.random().toString(36).slice(2);
    const reply = this.next((m) => m['id'] === id, timeoutMs, `reply to ${String(msg['cmd'])}`);
    this.send({ ...msg, id });
    const result = await reply;
    if (result['error'])
      throw new Error(`${this.#proc.name}: ${String(result['cmd'] ?? msg['cmd'])}: ${String(result['error'])}`);
    return result;
  }
}
