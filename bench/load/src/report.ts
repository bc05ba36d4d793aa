/** The results of `npm run bench:load` and their Markdown table (method: docs/bench.md). */
import { SERVER_ENTRY } from './servers.js';

export interface Stat {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface PhaseResult {
  count: number;
  failed: number;
  seconds: number;
  perSecond: number;
  latencyMs: Stat;
  /** Set-up phases: each step's duration (`SETUP_STEPS`), and each client process's CPU in % of one core. */
  steps?: Record<string, Stat>;
  clientCpuPct?: number[];
  /**
   * Set-up phases: the server nodes' CPU (all threads) per completed set-up, ms; their CPU in % of
   * one core; and how long their event-loop threads waited for a CPU, % of the phase's wall time.
   */
  serverCpuMsPerSetUp?: number;
  /** SQL statements the nodes sent to their database per completed set-up (their `/metrics`). */
  statementsPerSetUp?: number;
  serverCpuPct?: number;
  serverWaitPct?: number;
  errors: Record<string, number>;
  timedOut: boolean;
}

export interface Sample {
  t: number;
  phase: string;
  live: number;
  rssMiB: number;
  heapMiB: number;
  websockets: number;
  lagP99Ms: number;
  lagMaxMs: number;
  serverCpuPct: number;
  /** The server's event-loop thread waiting for a CPU, % of the wall clock (the busiest node). */
  runQueueWaitPct?: number;
  fds: number;
  metricsOk: boolean;
}

export interface HoldResult {
  live: number;
  seconds: number;
  relayMs: Stat;
  relayLost: number;
  /**
   * The probe process (`--probe`): sessions in a client process that holds nothing else, so its
   * loop is as idle as a user's browser; its relay and chat are what a user's client gets while
   * the node holds every other session. `relayMs`/`chatMs` above are the bulk processes'.
   */
  probe: {
    sessions: number;
    relayMs: Stat;
    relayLost: number;
    chatMs: Stat;
    cpuPct: number;
    lagP99Ms: number;
    lagMaxMs: number;
  } | null;
  serverRelayBucketMs: ({ p50: number; p99: number } | null)[];
  chatMs: Stat;
  errors: Record<string, number>;
  serverCpuPct: number;
  lagP99MaxMs: number;
  /** The longest single event-loop delay of the server during the hold (prom-client's max, per scrape). */
  lagMaxMs: number;
  /** Each client process while it relayed: CPU (% of one core), event-loop delay p99 and max (ms). */
  clients: { cpuPct: number; lagP99Ms: number; lagMaxMs: number }[];
  rssMiB: number;
  heapMiB: number;
  websockets: number;
  fds: number;
  rssKiBPerSession: number;
  heapKiBPerSession: number;
  droppedSockets: number;
  clientCpuMs: number;
  clientRssMiB: number;
}

export type ConfigResult =
  | {
      name: string;
      nodes: number;
      /** Worker processes per node (`WORKERS`; absent from results before 2026-12-05: 1). */
      workers?: number;
      database: string;
      redis: boolean;
      target: number;
      loadAtStart: string;
      loadAtEnd: string;
      /** PostgreSQL configurations: its version, autovacuum, and the catalog's dead tuples at the start. */
      postgres?: string;
      setup: PhaseResult;
      ramp: PhaseResult | null;
      hold: HoldResult;
      end: PhaseResult;
      timeline: Sample[];
      profiles: string[];
    }
  | { name: string; failed: string };

export interface RunResult {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  fdLimit: string;
  /** The server nodes' Node flags (absent from results before 2026-12-04). */
  serverNodeArgs?: string[];
  options: Record<string, unknown>;
  loadAtStart: string;
  loadAtEnd?: string;
  configs: ConfigResult[];
}

const f = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const errs = (e: Record<string, number>): string =>
  Object.entries(e)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ×${v}`)
    .join('; ') || '–';
const mark = (ok: boolean): string => (ok ? '✓' : '✗');
/** "create 12/40, redeem …" (p50/p99 ms of each step) and the client processes' CPU. */
const stepLine = (p: PhaseResult): string =>
  p.steps
    ? `; steps p50/p99 ms: ${Object.entries(p.steps)
        .map(([k, st]) => `${k} ${f(st.p50, 1)}/${f(st.p99)}`)
        .join(
          ', ',
        )}; client processes' CPU ${(p.clientCpuPct ?? []).map((c) => `${f(c)} %`).join(', ')}; server: ${f(p.serverCpuMsPerSetUp ?? NaN, 1)} ms CPU and ${f(p.statementsPerSetUp ?? NaN, 1)} SQL statements per set-up, ${f(p.serverCpuPct ?? NaN)} % CPU, waiting for a CPU ${f(p.serverWaitPct ?? NaN)} % of the time`
    : '';

export function renderMarkdown(r: RunResult): string {
  const lines: string[] = [
    `# Load benchmark ${r.startedAt}`,
    '',
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${f(r.machine.memoryGiB, 1)} GiB, Node ${r.machine.node}; open files ${r.fdLimit}.`,
    `Shared with other work: \`${r.loadAtStart}\` at the start, \`${r.loadAtEnd ?? '?'}\` at the end.`,
    `Options: ${JSON.stringify(r.options)}. Server nodes: \`node ${[...(r.serverNodeArgs ?? []), SERVER_ENTRY].join(' ')}\`. Method: docs/bench.md ("Load benchmark").`,
    '',
    '| configuration | set-ups/s (a) | set-up p50 / p99 ms | live reached / target | relay p50 / p99 ms, probe (n, lost) | relay p50 / p99 ms, bulk clients (n, lost) | server relay p99 bucket ms | chat p50 / p99 ms, probe · bulk | KiB RSS / heap per session | server CPU % (hold) | lag p99 ms (max) | ends/s (c) | failures |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of r.configs) {
    if ('failed' in c) {
      lines.push(`| ${c.name} | failed: ${c.failed.replace(/\|/g, '/')} ||||||||||||`);
      continue;
    }
    const h = c.hold;
    const p = h.probe;
    const failures = {
      ...Object.fromEntries(Object.entries(c.setup.errors).map(([k, v]) => [`setup ${k}`, v])),
      ...Object.fromEntries(Object.entries(c.ramp?.errors ?? {}).map(([k, v]) => [`ramp ${k}`, v])),
      ...Object.fromEntries(Object.entries(h.errors).map(([k, v]) => [`hold ${k}`, v])),
      ...Object.fromEntries(Object.entries(c.end.errors).map(([k, v]) => [`end ${k}`, v])),
    };
    lines.push(
      `| ${c.name} (${c.nodes} node${c.nodes > 1 ? 's' : ''}${(c.workers ?? 1) > 1 ? ` × ${c.workers} worker processes` : ''}, ${c.database}${c.redis ? ', Redis' : ''}) | ${f(c.setup.perSecond)} ${mark(c.setup.perSecond >= 500)} | ${f(c.setup.latencyMs.p50)} / ${f(c.setup.latencyMs.p99)} | ${h.live} / ${c.target} ${mark(h.live >= 10_000)} | ${p ? `${f(p.relayMs.p50, 1)} / ${f(p.relayMs.p99, 1)} ${mark(p.relayMs.p99 <= 20)} (${p.relayMs.n}, ${p.relayLost})` : '–'} | ${f(h.relayMs.p50, 1)} / ${f(h.relayMs.p99, 1)} (${h.relayMs.n}, ${h.relayLost}) | ${h.serverRelayBucketMs.map((b) => (b ? f(b.p99, 1) : '–')).join(' + ')} | ${p ? `${f(p.chatMs.p50, 1)} / ${f(p.chatMs.p99, 1)}` : '–'} · ${f(h.chatMs.p50, 1)} / ${f(h.chatMs.p99, 1)} | ${f(h.rssKiBPerSession, 1)} / ${f(h.heapKiBPerSession, 1)} | ${f(h.serverCpuPct)} | ${f(h.lagP99MaxMs)} | ${f(c.end.perSecond)} | ${errs(failures)}${h.droppedSockets ? `; dropped sockets ×${h.droppedSockets}` : ''} |`,
    );
  }
  lines.push(
    '',
    "✓/✗: the issue's targets (≥ 500 set-ups/s, ≥ 10,000 live sessions on one node, p99 relay ≤ 20 ms, judged on the probe: a client process with nothing but its own sessions, as a user's browser); reported, not asserted. The bulk clients' relay also waits for their own loops, each carrying thousands of sockets.",
    '',
  );
  for (const c of r.configs) {
    if ('failed' in c) continue;
    lines.push(
      `## ${c.name}`,
      '',
      `- load: \`${c.loadAtStart}\` → \`${c.loadAtEnd}\``,
      ...(c.postgres ? [`- PostgreSQL: ${c.postgres}`] : []),
      `- (a) set-up: ${c.setup.count} sessions in ${f(c.setup.seconds, 1)} s = ${f(c.setup.perSecond)}/s; each p50 ${f(c.setup.latencyMs.p50)} ms, p99 ${f(c.setup.latencyMs.p99)} ms; failed ${c.setup.failed}${c.setup.timedOut ? ' (phase time limit reached)' : ''}${stepLine(c.setup)}`,
      c.ramp
        ? `- (b) ramp: ${c.ramp.count} more in ${f(c.ramp.seconds, 1)} s = ${f(c.ramp.perSecond)}/s; each p50 ${f(c.ramp.latencyMs.p50)} ms, p99 ${f(c.ramp.latencyMs.p99)} ms; failed ${c.ramp.failed}${c.ramp.timedOut ? ' (phase time limit reached)' : ''}${stepLine(c.ramp)}`
        : '- (b) ramp: none (target = set-up count)',
      `- (b) hold ${f(c.hold.seconds, 1)} s with ${c.hold.live} live sessions (${c.hold.websockets} server WebSockets, ${c.hold.fds} open files): relay p50 ${f(c.hold.relayMs.p50, 2)} ms, p99 ${f(c.hold.relayMs.p99, 2)} ms, max ${f(c.hold.relayMs.max, 1)} ms over ${c.hold.relayMs.n} signals (${c.hold.relayLost} lost); chat p50 ${f(c.hold.chatMs.p50, 1)} ms, p99 ${f(c.hold.chatMs.p99, 1)} ms (${c.hold.chatMs.n}); server RSS ${f(c.hold.rssMiB)} MiB, heap ${f(c.hold.heapMiB)} MiB; ${f(c.hold.rssKiBPerSession, 1)} KiB RSS and ${f(c.hold.heapKiBPerSession, 1)} KiB heap per live session; server CPU ${f(c.hold.serverCpuPct)} % of one core; event-loop lag p99 up to ${f(c.hold.lagP99MaxMs)} ms, longest ${f(c.hold.lagMaxMs)} ms; sockets dropped by the server ${c.hold.droppedSockets}; client processes: RSS ${f(c.hold.clientRssMiB)} MiB, CPU ${f(c.hold.clientCpuMs / 1000, 1)} s since they started; while relaying, each: ${c.hold.clients.map((k) => `${f(k.cpuPct)} % CPU, loop delay p99 ${f(k.lagP99Ms)} ms, longest ${f(k.lagMaxMs)} ms`).join('; ')}`,
      ...(c.hold.probe
        ? [
            `- (b) hold, probe (${c.hold.probe.sessions} sessions in a client process of their own): relay p50 ${f(c.hold.probe.relayMs.p50, 2)} ms, p99 ${f(c.hold.probe.relayMs.p99, 2)} ms, max ${f(c.hold.probe.relayMs.max, 1)} ms over ${c.hold.probe.relayMs.n} signals (${c.hold.probe.relayLost} lost); chat p50 ${f(c.hold.probe.chatMs.p50, 1)} ms, p99 ${f(c.hold.probe.chatMs.p99, 1)} ms (${c.hold.probe.chatMs.n}); the probe's CPU ${f(c.hold.probe.cpuPct)} %, loop delay p99 ${f(c.hold.probe.lagP99Ms)} ms, longest ${f(c.hold.probe.lagMaxMs)} ms`,
          ]
        : []),
      `- (c) end: ${c.end.count} in ${f(c.end.seconds, 1)} s = ${f(c.end.perSecond)}/s; each p50 ${f(c.end.latencyMs.p50)} ms, p99 ${f(c.end.latencyMs.p99)} ms; failed ${c.end.failed}`,
      `- failures: ${errs({ ...c.setup.errors, ...(c.ramp?.errors ?? {}), ...c.hold.errors, ...c.end.errors })}`,
      ...(c.profiles.length ? [`- CPU profiles: ${c.profiles.join(', ')}`] : []),
      '',
      '| t s | phase | live | server WS | RSS MiB | heap MiB | CPU % | waiting for a CPU % | lag p99 ms | open files |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...c.timeline.map(
        (s) =>
          `| ${f(s.t)} | ${s.phase} | ${s.live} | ${s.websockets} | ${f(s.rssMiB)} | ${f(s.heapMiB)} | ${f(s.serverCpuPct)} | ${f(s.runQueueWaitPct ?? NaN)} | ${f(s.lagP99Ms)} | ${s.fds} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}
