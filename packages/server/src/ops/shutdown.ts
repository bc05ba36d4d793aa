/**
 * @module ops/shutdown
 * Graceful shutdown on SIGTERM/SIGINT: `/readyz` turns 503 (`draining`) so the load
 * balancer stops sending work; Fastify stops accepting (new requests get 503 while it
 * closes), every WebSocket is closed with 1001 and a "reconnect" reason (both clients
 * reconnect with back-off, to another node behind a balancer, and re-attach: no session
 * ends), in-flight HTTP requests get `drainMs` to finish before their connections are cut,
 * then the bus and the database close. A second signal, or the drain bound plus a margin
 * passing with the close stuck, exits at once with status 1.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Server } from 'node:http';

export interface ShutdownTarget {
  app: { server: Pick<Server, 'closeAllConnections'>; log: FastifyBaseLogger };
  readiness: { drain(): void };
  /** Stops listening, closes sockets, waits for in-flight requests, closes bus and database. */
  close(): Promise<void>;
}

/** Runs one graceful shutdown; resolves true when everything closed, false when something failed. */
export async function shutDown(target: ShutdownTarget, drainMs: number, reason: string): Promise<boolean> {
  const log = target.app.log;
  log.info({ reason, drainMs }, 'shutting down: draining');
  target.readiness.drain();
  const cut = setTimeout(() => {
    log.warn({ drainMs }, 'in-flight requests still running after the drain bound: closing their connections');
    target.app.server.closeAllConnections();
  }, drainMs);
  cut.unref();
  try {
    await target.close();
    log.info('shut down cleanly');
    return true;
  } catch (error) {
    log.error({ err: error }, 'shutdown failed');
    return false;
  } finally {
    clearTimeout(cut);
  }
}

/**
 * A signal this soon after the first is the same request delivered twice, not an operator insisting:
 * GNU `timeout` signals its child and then the child's process group, and a group kill reaches a
 * process that was also signalled by name.
 */
export const REPEATED_SIGNAL_MS = 1000;

/**
 * Starts one graceful shutdown at the first call and exits with its outcome (0 clean, 1 not), or 1 once
 * the drain bound plus a margin passes with the close stuck. A later call (after {@link REPEATED_SIGNAL_MS})
 * exits at once with 1 when `secondExits`, else does nothing (a worker told twice, by its primary and by
 * a signal, still drains).
 */
export function shutdownOnce(
  target: ShutdownTarget,
  drainMs: number,
  exit: (code: number) => void,
  secondExits: boolean,
): (reason: string) => void {
  let closing = false;
  let startedAt = 0;
  return (reason) => {
    if (closing) {
      if (!secondExits || Date.now() - startedAt < REPEATED_SIGNAL_MS) return;
      target.app.log.warn({ reason }, 'second signal during shutdown: exiting now');
      exit(1);
      return;
    }
    closing = true;
    startedAt = Date.now();
    const force = setTimeout(() => exit(1), drainMs + 5000);
    force.unref();
    void shutDown(target, drainMs, reason).then((clean) => exit(clean ? 0 : 1));
  };
}

/** Installs the SIGTERM/SIGINT handlers of `npm start`; the process exits 0 after a clean shutdown. */
export function exitOnSignals(
  target: ShutdownTarget,
  drainMs: number,
  exit: (code: number) => void = process.exit,
): void {
  const stop = shutdownOnce(target, drainMs, exit, true);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
