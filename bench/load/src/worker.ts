/**
 * A client process of `npm run bench:load`: holds its share of the simulated pairs (two
 * WebSockets each) and runs what the orchestrator asks over IPC (`messages.ts`). Several of
 * these run at once so that the clients are not one event loop competing with the server's.
 * It exits when its parent goes away.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuUsage, memoryUsage } from 'node:process';
import type { FromClient, PairPlan } from './messages.js';
import { ToClient } from './messages.js';
import { HttpPool, Pair, PersonSocket, SETUP_STEPS, StepError, nowMs, pool } from './client.js';

const send = (message: FromClient): void => {
  process.send?.(message);
};

let plans: PairPlan[] = [];
let pairs: Pair[] = [];
let http: HttpPool | null = null;
let cookieName = 'rh_session';
let droppedSockets = 0;

const liveCount = (): number => pairs.filter((p) => p.live).length;

const count = (errors: Record<string, number>, error: unknown) => {
  const kind = error instanceof StepError ? error.kind : error instanceof Error ? error.message.slice(0, 80) : 'error';
  errors[kind] = (errors[kind] ?? 0) + 1;
};

async function setup(from: number, to: number, concurrency: number, deadline: number): Promise<void> {
  const errors: Record<string, number> = {};
  const durationsMs: number[] = [];
  const stepsMs: Record<string, number[]> = Object.fromEntries(SETUP_STEPS.map((name) => [name, []]));
  let ok = 0;
  let failed = 0;
  const cpu0 = cpuUsage();
  const t0 = nowMs();
  const ticker = setInterval(() => send({ type: 'progress', live: liveCount(), failed }), 1000);
  const mine = plans.filter((p) => p.index >= from && p.index < to);
  const { timedOut } = await pool(mine, concurrency, deadline, async (plan) => {
    const pair = new Pair({ cookieName, http: http!, ...plan });
    const started = nowMs();
    const steps: Record<string, number> = {};
    try {
      await pair.setUp(steps);
      durationsMs.push(nowMs() - started);
      for (const [name, ms] of Object.entries(steps)) stepsMs[name]?.push(ms);
      for (const ws of [pair.helperWs, pair.sharerWs]) {
        if (ws)
          ws.onUnexpectedClose = () => {
            if (pair.live) droppedSockets++;
          };
      }
      pairs.push(pair);
      ok++;
    } catch (error) {
      failed++;
      count(errors, error);
      pair.close();
    }
  });
  clearInterval(ticker);
  send({ type: 'progress', live: liveCount(), failed });
  const cpu = cpuUsage(cpu0);
  const cpuPct = ((cpu.user + cpu.system) / 1000 / Math.max(1, nowMs() - t0)) * 100;
  send({ type: 'setupDone', ok, failed, durationsMs, stepsMs, cpuPct, errors, timedOut });
}

async function sample(sessions: number, durationMs: number, intervalMs: number, chatMessages: number): Promise<void> {
  const errors: Record<string, number> = {};
  const live = pairs.filter((p) => p.live);
  const chosen = live.slice(0, Math.min(sessions, live.length));
  const relayMs: number[] = [];
  const chatMs: number[] = [];
  let lost = 0;
  const inFlight: Promise<void>[] = [];
  // This process's own share of the relay figure: its CPU and event-loop delay while it relays.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const cpu0 = cpuUsage();
  const t0 = nowMs();
  const until = Date.now() + durationMs;
  let i = 0;
  while (chosen.length && Date.now() < until) {
    const pair = chosen[i % chosen.length]!;
    const from = i % 2 === 0 ? 'helper' : 'sharer';
    i++;
    inFlight.push(
      pair.relayOnce(from).then(
        (ms) => void relayMs.push(ms),
        (error: unknown) => {
          lost++;
          count(errors, error);
        },
      ),
    );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await Promise.all(inFlight);
  lag.disable();
  const cpu = cpuUsage(cpu0);
  const self = {
    cpuPct: ((cpu.user + cpu.system) / 1000 / Math.max(1, nowMs() - t0)) * 100,
    lagP99Ms: lag.percentile(99) / 1e6,
    lagMaxMs: lag.max / 1e6,
  };
  // Chat: a few lines each way on the sampled sessions, a handful at a time.
  await pool(chosen, 16, Date.now() + 60_000, async (pair) => {
    for (let k = 0; k < chatMessages; k++) {
      try {
        chatMs.push(await pair.chatOnce(k % 2 === 0 ? 'helper' : 'sharer'));
      } catch (error) {
        count(errors, error);
      }
    }
  });
  send({ type: 'sampleDone', relayMs, chatMs, lost, errors, ...self });
}

async function end(concurrency: number, deadline: number): Promise<void> {
  const errors: Record<string, number> = {};
  const durationsMs: number[] = [];
  let ok = 0;
  let failed = 0;
  const live = pairs.filter((p) => p.live);
  const { timedOut } = await pool(live, concurrency, deadline, async (pair) => {
    const started = nowMs();
    try {
      await pair.end();
      durationsMs.push(nowMs() - started);
      ok++;
    } catch (error) {
      failed++;
      count(errors, error);
    }
  });
  for (const p of pairs) p.close();
  pairs = [];
  send({ type: 'endDone', ok, failed, durationsMs, errors, timedOut });
}

function status(): void {
  const cpu = cpuUsage();
  send({
    type: 'status',
    live: liveCount(),
    droppedSockets,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memoryUsage.rss(),
  });
}

process.on('message', (raw) => {
  const parsed = ToClient.safeParse(raw);
  if (!parsed.success) {
    send({ type: 'fatal', message: `bad message from the orchestrator: ${parsed.error.message.slice(0, 500)}` });
    return;
  }
  const m = parsed.data;
  const run = async () => {
    switch (m.type) {
      case 'init':
        plans = m.pairs;
        cookieName = m.cookieName;
        http = new HttpPool(m.httpAddresses);
        PersonSocket.clientPings = m.clientPings;
        PersonSocket.setPingSlots(m.pingSlots);
        send({ type: 'ready' });
        return;
      case 'setup':
        return setup(m.from, m.to, m.concurrency, m.deadline);
      case 'sample':
        return sample(m.sessions, m.durationMs, m.intervalMs, m.chatMessages);
      case 'end':
        return end(m.concurrency, m.deadline);
      case 'status':
        return status();
      case 'quit':
        for (const p of pairs) p.close();
        http?.close();
        setTimeout(() => process.exit(0), 200);
        return;
    }
  };
  run().catch((error: unknown) => send({ type: 'fatal', message: String(error).slice(0, 2000) }));
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
