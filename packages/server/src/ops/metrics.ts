/**
 * @module ops/metrics
 * The Prometheus instruments of one server (its own registry, so several servers in one
 * process, as in tests, do not mix): HTTP requests by method, route template and status,
 * WebSocket connections, live sessions by state, ended sessions by reason, code
 * redemptions, the signaling relay latency, chat messages, and Node's process and
 * event-loop metrics (without the defaults that walk every handle: a scrape must stay cheap
 * at 20,000 sockets). Every label value comes from a closed set (methods, route
 * templates, protocol enums); no tenant, user, session id or free text ever becomes one.
 */
import type { EndReason, SessionState } from '@remote-help/protocol';
import { END_REASONS, ERROR_CODES, SESSION_STATES } from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { processOpenFiles } from './openFiles.js';

/** prom-client defaults whose collection costs time proportional to open handles (see the constructor). */
export const PER_HANDLE_DEFAULTS = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'process_open_fds',
] as const;

/** prom-client's event-loop lag percentiles: averaged over a cluster's workers by default. */
const LAG_PERCENTILES = [
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const END_REASON_SET: ReadonlySet<string> = new Set(END_REASONS);
const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);
/** States of a live (not yet ended) session. */
export const LIVE_STATES = SESSION_STATES.filter((s): s is Exclude<SessionState, 'ended'> => s !== 'ended');

/** Counts live sessions by state (the database's view, so every node reports the same numbers). */
export type LiveSessionCounter = () => Promise<Partial<Record<SessionState, number>>>;

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly sessionsEnded: Counter<'reason'>;
  readonly redemptions: Counter<'outcome' | 'reason'>;
  readonly signalRelay: Histogram;
  readonly chatMessages: Counter;
  readonly wsConnections: Gauge;

  constructor(o: { openSockets: () => number; liveSessions: LiveSessionCounter; dbStatements?: () => number }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    // The defaults that walk every handle on each scrape, synchronously: with 19,600 WebSockets
    // (load bench, 2026-12-02) a scrape held the event loop 90-130 ms (listing active handles and
    // resources, and `readdirSync('/proc/self/fd')`), and every relayed signal waited behind it.
    // The sockets are counted by `remote_help_websocket_connections`; open files are counted
    // below with an asynchronous readdir (the listing happens on the thread pool).
    for (const name of PER_HANDLE_DEFAULTS) this.registry.removeSingleMetric(name);
    // A node of several workers (`ops/workers`) reports its worst worker's loop, not their average.
    for (const name of LAG_PERCENTILES) {
      const metric = this.registry.getSingleMetric(name) as { aggregator?: string } | undefined;
      if (metric) metric.aggregator = 'max';
    }
    if (process.platform === 'linux') {
      new Gauge({
        name: 'process_open_fds',
        help: 'Number of open file descriptors.',
        registers,
        async collect() {
          const count = await processOpenFiles.count();
          // /proc unreadable: the sample stays as it was.
          if (count !== null) this.set(count);
        },
      });
    }
    this.httpRequests = new Counter({
      name: 'remote_help_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'remote_help_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to sending its response.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.wsConnections = new Gauge({
      name: 'remote_help_websocket_connections',
      help: 'WebSocket connections open on this node (people and devices).',
      registers,
      collect() {
        this.set(o.openSockets());
      },
    });
    new Gauge({
      name: 'remote_help_sessions_live',
      help: 'Sessions not yet ended, by state (from the database: the same on every node).',
      labelNames: ['state'],
      // A node's workers (`ops/workers`) each read the same rows: their sum would count every session once per worker.
      aggregator: 'max',
      registers,
      async collect() {
        const counts = await o.liveSessions();
        for (const state of LIVE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    this.sessionsEnded = new Counter({
      name: 'remote_help_sessions_ended_total',
      help: 'Sessions ended on this node, by end reason.',
      labelNames: ['reason'],
      registers,
    });
    this.redemptions = new Counter({
      name: 'remote_help_code_redemptions_total',
      help: 'Security code redemptions on this node: outcome succeeded or failed, with the error code of a failure.',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.signalRelay = new Histogram({
      name: 'remote_help_signal_relay_seconds',
      help: "Time from a signaling frame's arrival to its send to the other participant.",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.chatMessages = new Counter({
      name: 'remote_help_chat_messages_total',
      help: 'Chat messages stored and published on this node.',
      registers,
    });
    const dbStatements = o.dbStatements;
    if (dbStatements) {
      let reported = 0;
      new Counter({
        name: 'remote_help_db_statements_total',
        help: "SQL statements this node sent to its database, transactions' BEGIN and COMMIT included.",
        registers,
        collect() {
          const count = dbStatements();
          this.inc(count - reported);
          reported = count;
        },
      });
    }
    for (const reason of END_REASONS) this.sessionsEnded.inc({ reason }, 0);
    this.redemptions.inc({ outcome: 'succeeded', reason: 'none' }, 0);
  }

  sessionEnded(reason: EndReason | string | null | undefined): void {
    this.sessionsEnded.inc({ reason: reason && END_REASON_SET.has(reason) ? reason : 'other' });
  }

  redeemed(): void {
    this.redemptions.inc({ outcome: 'succeeded', reason: 'none' });
  }

  redeemFailed(code: string | null | undefined): void {
    this.redemptions.inc({ outcome: 'failed', reason: code && ERROR_CODE_SET.has(code) ? code : 'other' });
  }

  /**
   * Counts and times every HTTP response. The route is the template Fastify matched
   * (`/api/v1/sessions/:id`), never the raw URL; an unmatched URL is `unmatched`.
   */
  instrumentHttp(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const method = METHODS.has(request.method) ? request.method : 'OTHER';
      const template = request.routeOptions.url;
      const route = template && !request.is404 ? template : 'unmatched';
      const labels = { method, route, status: String(reply.statusCode) };
      this.httpRequests.inc(labels);
      this.httpDuration.observe(labels, reply.elapsedTime / 1000);
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/**
 * Live sessions by state, across every tenant: an operator's aggregate, never shown to a
 * tenant, carrying no tenant id (the one deliberate unscoped query, read-only).
 */
export function liveSessionsIn(db: Db): LiveSessionCounter {
  return async () => {
    const rows = await db
      .selectFrom('help_sessions')
      .select(['state', db.fn.countAll<number | string>().as('n')])
      // `in` the live states, not `!= 'ended'`: the state index is then read only for live rows,
      // not scanned across every session the database ever held, at each scrape.
      .where('state', 'in', LIVE_STATES)
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
  };
}
