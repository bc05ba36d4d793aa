/**
 * @module ops/workers
 * `WORKERS` > 1: one node as several server processes behind its one port (Node's cluster: the
 * primary accepts each connection and hands it to a worker in turn). Each worker is a whole server
 * and a node of the deployment like any other (Redis for the bus, presence and counters; the shared
 * database), so the two sides of a session on two workers meet as they would on two machines. Why:
 * one process uses one core, and holds as many sockets as its open-file limit allows (20,000 on the
 * machine the load bench runs on, with no privilege to raise it: 9,951 live sessions); a node of N
 * workers uses N cores and N such limits behind one address.
 *
 * The primary serves nothing itself:
 * - it starts worker 1 and waits until it listens (worker 1 migrates the database, makes the shared
 *   secrets and seeds the demo: once, with nobody racing it), then the others, and prints worker 1's
 *   banner when all listen; a worker that cannot start stops the node with status 1;
 * - a worker that exits unasked is started again: at once after a long life, after 1 s, 2 s, 4 s … (at
 *   most 30 s) while it keeps dying young. A crash costs that worker's clients a reconnect (they come
 *   back through the same port to a live worker and re-attach), not the node;
 * - SIGTERM or SIGINT: every worker is told to shut down and drains as `npm start` alone does; the
 *   primary exits 0 once all exited cleanly, 1 otherwise or when one is stuck past the drain bound;
 *   a second signal (a second after the first: not the same one delivered twice) kills them and exits 1;
 * - metrics are the node's: prom-client's aggregator asks each worker for its registry and merges
 *   them (counters summed; live sessions, read from the database by each, not). The primary answers
 *   on `METRICS_ADDRESS`; on the main port, the worker that got the scrape asks the primary.
 *
 * Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole process group; the primary leads), take
 * SIGTERM as a shutdown of their own (the primary then starts a fresh one: a rolling restart), and shut
 * down when the primary is gone (their IPC channel closes). Every message between them is validated;
 * other modules' messages on the channel (prom-client's) are left to them.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { metricsListener, type Scrape } from './metricsEndpoint.js';
import { REPEATED_SIGNAL_MS, shutdownOnce, type ShutdownTarget } from './shutdown.js';

/** The environment variable that tells a worker its number (1…N); absent in a lone process and the primary. */
export const WORKER_INDEX_ENV = 'RH_WORKER_INDEX';

const Id = z.number().int().nonnegative();
const FromWorker = z.discriminatedUnion('type', [
  /** Listening: the banner it would print alone. */
  z.object({ type: z.literal('rh:listening'), banner: z.string().max(16_384) }),
  /** A scrape on the main port: the node's metrics, please. */
  z.object({ type: z.literal('rh:scrape'), id: Id }),
]);
const FromPrimary = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rh:shutdown') }),
  z.object({ type: z.literal('rh:scraped'), id: Id, contentType: z.string().max(200), body: z.string() }),
  z.object({ type: z.literal('rh:scrape-failed'), id: Id }),
]);
type FromWorker = z.infer<typeof FromWorker>;
type FromPrimary = z.infer<typeof FromPrimary>;

/** Ours to read: a message whose type starts with `rh:`; anything else on the channel is another module's. */
function ours(message: unknown): boolean {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('rh:');
}

/** This process' worker number, or null when it is not a worker of a node. */
export function workerIndex(env: Record<string, string | undefined> = process.env): number | null {
  if (!cluster.isWorker) return null;
  const index = Number(env[WORKER_INDEX_ENV]);
  return Number.isInteger(index) && index >= 1 ? index : null;
}

/** The logging the primary needs (a pino logger has these). */
export interface PrimaryLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface PrimaryOptions {
  workers: number;
  /** Each worker's drain bound (`SHUTDOWN_DRAIN_SECONDS`); the primary waits that plus 10 s. */
  drainMs: number;
  metricsAddress: { host: string; port: number } | null;
  log: PrimaryLog;
  /** Prints the banner (stdout). */
  print: (text: string) => void;
  exit: (code: number) => void;
  /** Restart back-off: the first delay after a young death, its cap, and how long a life counts as young (ms). */
  restart?: { firstMs: number; maxMs: number; youngMs: number };
}

const DEFAULT_RESTART = { firstMs: 1000, maxMs: 30_000, youngMs: 10_000 };

interface Slot {
  index: number;
  worker: Worker;
  startedAt: number;
  /** Deaths in a row, each soon after its start. */
  youngDeaths: number;
  listening: Promise<string>;
  exited: Promise<number | null>;
}

/**
 * Runs the primary of a node of `workers` workers (see the module description). Resolves once every
 * worker listens and the banner is printed; rejects (after stopping the others) when one cannot start.
 */
export async function runPrimary(o: PrimaryOptions): Promise<void> {
  const restart = o.restart ?? DEFAULT_RESTART;
  const aggregator = new AggregatorRegistry();
  const scrape: Scrape = async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
  const slots = new Map<number, Slot>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let starting = true;
  let stopping = false;

  const answer = (slot: Slot, message: FromWorker): void => {
    if (message.type !== 'rh:scrape') return;
    const reply = (m: FromPrimary) => {
      if (slot.worker.isConnected()) slot.worker.send(m);
    };
    scrape().then(
      (r) => reply({ type: 'rh:scraped', id: message.id, ...r }),
      (error: unknown) => {
        o.log.warn({ err: error, worker: slot.index }, 'node metrics could not be gathered');
        reply({ type: 'rh:scrape-failed', id: message.id });
      },
    );
  };

  const fork = (index: number, youngDeaths: number): Slot => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index) });
    let listened: (banner: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => (listened = resolve));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    const slot: Slot = { index, worker, startedAt: Date.now(), youngDeaths, listening, exited };
    slots.set(index, slot);
    worker.on('message', (raw: unknown) => {
      if (!ours(raw)) return;
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) {
        o.log.warn(
          { worker: index, problem: parsed.error.issues[0]?.message },
          'malformed message from a worker dropped',
        );
        return;
      }
      if (parsed.data.type === 'rh:listening') listened(parsed.data.banner);
      else answer(slot, parsed.data);
    });
    worker.once('exit', (code, signal) => {
      if (stopping || starting || slots.get(index) !== slot) return;
      slots.delete(index); // until its successor starts, nothing of this worker is waited for
      const young = Date.now() - slot.startedAt < restart.youngMs;
      const deaths = young ? slot.youngDeaths + 1 : 0;
      const delay = deaths ? Math.min(restart.maxMs, restart.firstMs * 2 ** (deaths - 1)) : 0;
      o.log.warn(
        { worker: index, pid: worker.process.pid, code, signal, restartInMs: delay },
        'a worker exited: starting it again',
      );
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) fork(index, deaths);
      }, delay);
      restartTimers.add(timer);
    });
    return slot;
  };

  /** Resolves with a slot's banner once it listens; rejects if it exits first. */
  const listeningOf = (slot: Slot): Promise<string> =>
    Promise.race([
      slot.listening,
      slot.exited.then((code) => {
        throw new Error(`worker ${slot.index} exited (${code ?? 'killed'}) while starting`);
      }),
    ]);

  const killAll = () => {
    for (const slot of slots.values()) if (slot.worker.process.exitCode === null) slot.worker.process.kill('SIGKILL');
  };

  let metricsServer: { close(): Promise<void> } | null = null;
  let stoppingAt = 0;
  const stop = (reason: string) => {
    if (stopping && Date.now() - stoppingAt < REPEATED_SIGNAL_MS) return;
    if (stopping) {
      o.log.warn({ reason }, 'second signal during shutdown: stopping the workers now');
      killAll();
      o.exit(1);
      return;
    }
    stopping = true;
    stoppingAt = Date.now();
    for (const timer of restartTimers) clearTimeout(timer);
    o.log.info({ reason, workers: slots.size }, 'shutting down: every worker drains');
    const force = setTimeout(() => {
      o.log.error({ drainMs: o.drainMs }, 'workers still running past the drain bound: killing them');
      killAll();
      o.exit(1);
    }, o.drainMs + 10_000);
    force.unref();
    const current = [...slots.values()];
    for (const slot of current) {
      // A worker still starting (one being restarted) is told once it listens: before, nothing reads the message.
      void slot.listening.then(() => {
        if (slot.worker.isConnected()) slot.worker.send({ type: 'rh:shutdown' } satisfies FromPrimary);
      });
      if (!slot.worker.isConnected()) slot.worker.process.kill('SIGTERM');
    }
    void Promise.all(current.map((slot) => slot.exited)).then(async (codes) => {
      await metricsServer?.close().catch(() => undefined);
      const clean = codes.every((code) => code === 0);
      o.log.info({ clean }, clean ? 'every worker shut down cleanly' : 'a worker did not shut down cleanly');
      o.exit(clean ? 0 : 1);
    });
  };
  // From the first moment: a signal while the workers start still drains them (each once it listens).
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    const banner = await listeningOf(fork(1, 0));
    if (stopping) return;
    const others = Array.from({ length: o.workers - 1 }, (_, k) => listeningOf(fork(k + 2, 0)));
    await Promise.all(others);
    if (stopping) return;
    if (o.metricsAddress) metricsServer = await metricsListener(scrape, o.metricsAddress);
    starting = false;
    const pids = [...slots.values()].map((slot) => slot.worker.process.pid).join(', ');
    o.print(`${banner}  ${o.workers} worker processes share this port (WORKERS; pids ${pids}).\n\n`);
  } catch (error) {
    if (stopping) return; // a shutdown under way: it waits for every worker and exits
    stopping = true;
    killAll();
    await Promise.all([...slots.values()].map((slot) => slot.exited));
    throw error;
  }
}

const SCRAPE_TIMEOUT_MS = 10_000;
const pendingScrapes = new Map<
  number,
  { resolve: (r: { contentType: string; body: string }) => void; reject: (e: Error) => void }
>();
let nextScrape = 0;
let onShutdown: ((reason: string) => void) | null = null;
let listeningToPrimary = false;

/** Reads the primary's messages (once per process). */
function listenToPrimary(): void {
  if (listeningToPrimary) return;
  listeningToPrimary = true;
  process.on('message', (raw: unknown) => {
    if (!ours(raw)) return;
    const parsed = FromPrimary.safeParse(raw);
    if (!parsed.success) return; // only the primary writes here; a message we cannot read changes nothing
    const m = parsed.data;
    if (m.type === 'rh:shutdown') {
      onShutdown?.('told by the primary');
      return;
    }
    const pending = pendingScrapes.get(m.id);
    pendingScrapes.delete(m.id);
    if (m.type === 'rh:scraped') pending?.resolve({ contentType: m.contentType, body: m.body });
    else pending?.reject(new Error('the node metrics could not be gathered'));
  });
}

/** A worker's scrape: the whole node's metrics, gathered by the primary. */
export const workerScrape: Scrape = () => {
  listenToPrimary();
  const id = nextScrape++;
  if (!process.connected) return Promise.reject(new Error('the primary is gone'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pendingScrapes.delete(id);
      reject(new Error('the primary did not answer the metrics request'));
    }, SCRAPE_TIMEOUT_MS);
    pendingScrapes.set(id, {
      resolve: (r) => (clearTimeout(timer), resolve(r)),
      reject: (e) => (clearTimeout(timer), reject(e)),
    });
    process.send?.({ type: 'rh:scrape', id } satisfies FromWorker);
  });
};

/**
 * Makes a listening server a worker of its node: answers the primary's metrics requests with
 * `registry`, tells it the banner, and shuts down (once) when told, on SIGTERM, or when the primary is gone.
 */
export function joinNode(
  target: ShutdownTarget & { metrics: { registry: Registry } },
  banner: string,
  drainMs: number,
  exit: (code: number) => void = process.exit,
): void {
  AggregatorRegistry.setRegistries([target.metrics.registry]);
  new AggregatorRegistry(); // in a worker: answers the primary's requests with the registries set above
  listenToPrimary();
  const stop = shutdownOnce(target, drainMs, exit, false);
  onShutdown = stop;
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => stop('the primary is gone'));
  // Sending on a closed channel would raise an uncaught 'error': the primary went while this worker started.
  if (process.connected) process.send?.({ type: 'rh:listening', banner } satisfies FromWorker);
  else stop('the primary is gone');
}
