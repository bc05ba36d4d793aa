/**
 * The three pipelines under test, each started on a fresh X display:
 *  - agent:    Xvfb + the agent's own ScreenShare (capture → damage tiles → peer) and input
 *              modules (agentSender.ts), viewed on a canvas by the helper app's TileReceiver;
 *              agent-video: the same with --pixels video, viewed in a <video> element.
 *  - tigervnc: Xvnc (TigerVNC: X server and VNC server in one) + websockify + noVNC.
 *  - x11vnc:   Xvfb + x11vnc + websockify + noVNC.
 * Every sender-side process (X server, X clients, VNC server, websockify, agent) runs in
 * the link's sender namespace: X clients find their server by its abstract socket there
 * first, so they can never reach another X server of the same number on this machine.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SENDER_IP, type Link } from './netem.js';
import { LineChannel, log, procsStatus, sleep, start, waitFor, type Proc } from './proc.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = join(HERE, '..', '..');

export type PipelineKind = 'agent' | 'tigervnc' | 'x11vnc';

export interface PipelineDef {
  /** Column id in the results. */
  id: string;
  label: string;
  kind: PipelineKind;
  /** Viewer page options. */
  viewer: { page: 'agent.html' | 'vnc.html' | 'tiles.html'; playout?: 'default' | 'zero'; render?: 'video' | 'canvas' };
  /** Not in the default set (run it with --only). */
  optional?: boolean;
  /** agentSender --mode (agent pipelines). */
  mode?: 'video' | 'tiles';
}

export const PIPELINES: PipelineDef[] = [
  {
    id: 'agent',
    label: 'remote-help agent (damage tiles on a data channel → canvas: the default)',
    kind: 'agent',
    mode: 'tiles',
    viewer: { page: 'tiles.html' },
  },
  {
    id: 'agent-video',
    label: 'remote-help agent --pixels video (VP8 track → <video>)',
    kind: 'agent',
    mode: 'video',
    viewer: { page: 'agent.html', playout: 'default' },
  },
  {
    id: 'agent-p0',
    label: 'remote-help agent --pixels video, playout delay 0',
    kind: 'agent',
    mode: 'video',
    optional: true,
    viewer: { page: 'agent.html', playout: 'zero' },
  },
  {
    id: 'agent-cv',
    label: 'remote-help agent --pixels video, playout delay 0, frames drawn on a canvas via MediaStreamTrackProcessor',
    kind: 'agent',
    mode: 'video',
    optional: true,
    viewer: { page: 'agent.html', playout: 'zero', render: 'canvas' },
  },
  { id: 'tigervnc', label: 'TigerVNC + noVNC', kind: 'tigervnc', viewer: { page: 'vnc.html' } },
  { id: 'x11vnc', label: 'x11vnc + noVNC', kind: 'x11vnc', viewer: { page: 'vnc.html' } },
];

export interface RunningPipeline {
  display: string;
  /** ws:// URL the viewer connects to. */
  wsUrl: string;
  /** name → root pid, for CPU accounting. */
  cpuGroups: Record<string, number[]>;
  /** The agent sender's control channel (agent pipelines). */
  agent: LineChannel | null;
  /** Whether each of the pipeline's processes still runs, and the end of its stderr: for a failed run's log. */
  status(): string;
  stop(): Promise<void>;
}

const AGENT_PORT = 7000;
const VNC_PORT = 5900;
const WS_PORT = 6080;

/**
 * Display numbers to try: `BENCH_DISPLAYS=140-149` keeps the bench inside a range given to it
 * (a machine shared with other X servers); by default 8 numbers from 100 + pid % 50.
 */
function displayNumbers(): number[] {
  const range = /^(\d+)-(\d+)$/.exec(process.env['BENCH_DISPLAYS'] ?? '');
  const first = range ? Number(range[1]) : 100 + (process.pid % 50);
  const last = range ? Number(range[2]) : first + 7;
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/**
 * Starts an X server on a free display number of our own (from 100 up, away from the low
 * numbers other X servers on this machine pick with -displayfd), and waits until it reports
 * it is ready on fd 3. The lock files and /tmp/.X11-unix are shared by every network namespace.
 */
async function startXServer(
  name: string,
  command: string,
  args: string[],
  netns: string | undefined,
): Promise<{ proc: Proc; display: string }> {
  let lastError = '';
  for (const n of displayNumbers()) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const proc = start(name, command, [`:${n}`, '-displayfd', '3', ...args], { netns, extraFds: 1 });
    const fd3 = proc.child.stdio[3] as NodeJS.ReadableStream;
    let text = '';
    fd3.on('data', (c: Buffer) => (text += c.toString()));
    await waitFor(() => text.includes('\n') || proc.child.exitCode !== null, 15_000, `${name} to start`).catch(
      () => undefined,
    );
    if (text.trim() === String(n)) return { proc, display: `:${n}` };
    lastError = proc.stderr().slice(-1000);
    await proc.stop();
  }
  throw new Error(`${name} did not start: ${lastError}`);
}

async function startWebsockify(netns: string): Promise<Proc> {
  const proc = start('websockify', 'websockify', [`${SENDER_IP}:${WS_PORT}`, `127.0.0.1:${VNC_PORT}`], { netns });
  await waitFor(
    () => /Listen|listening/i.test(proc.stderr() + proc.stdout()) || proc.child.exitCode !== null,
    10_000,
    'websockify',
  );
  if (proc.child.exitCode !== null) throw new Error(`websockify exited: ${proc.stderr()}`);
  return proc;
}

export async function startPipeline(
  def: PipelineDef,
  width: number,
  height: number,
  link: Link,
): Promise<RunningPipeline> {
  const netns = link.senderNs;
  const procs: Proc[] = [];
  const stopAll = async () => {
    for (const p of procs.reverse()) await p.stop();
  };
  try {
    if (def.kind === 'tigervnc') {
      const x = await startXServer(
        'Xvnc',
        'Xvnc',
        [
          '-geometry',
          `${width}x${height}`,
          '-depth',
          '24',
          '-SecurityTypes',
          'None',
          '-rfbport',
          String(VNC_PORT),
          '-interface',
          '127.0.0.1',
          '-AlwaysShared',
          '-nolisten',
          'tcp',
          '-noreset',
        ],
        netns,
      );
      procs.push(x.proc);
      const ws = await startWebsockify(netns);
      procs.push(ws);
      log(`TigerVNC on ${x.display} (Xvnc pid ${x.proc.pid})`);
      return {
        display: x.display,
        wsUrl: `ws://${SENDER_IP}:${WS_PORT}/websockify`,
        cpuGroups: { sender: [x.proc.pid], proxy: [ws.pid] },
        agent: null,
        status: () => procsStatus(procs),
        stop: stopAll,
      };
    }
    const x = await startXServer(
      'Xvfb',
      'Xvfb',
      ['-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'],
      netns,
    );
    procs.push(x.proc);
    if (def.kind === 'x11vnc') {
      const vnc = start(
        'x11vnc',
        'x11vnc',
        [
          '-display',
          x.display,
          '-rfbport',
          String(VNC_PORT),
          '-localhost',
          '-forever',
          '-shared',
          '-nopw',
          '-noxrecord',
        ],
        { netns },
      );
      procs.push(vnc);
      await waitFor(() => /PORT=\d+/.test(vnc.stdout()) || vnc.child.exitCode !== null, 20_000, 'x11vnc to listen');
      if (vnc.child.exitCode !== null) throw new Error(`x11vnc exited: ${vnc.stderr().slice(-2000)}`);
      const ws = await startWebsockify(netns);
      procs.push(ws);
      log(`x11vnc on ${x.display} (pid ${vnc.pid})`);
      return {
        display: x.display,
        wsUrl: `ws://${SENDER_IP}:${WS_PORT}/websockify`,
        cpuGroups: { sender: [vnc.pid], proxy: [ws.pid], xserver: [x.proc.pid] },
        agent: null,
        status: () => procsStatus(procs),
        stop: stopAll,
      };
    }
    // The agent.
    const agent = start(
      'agent',
      process.execPath,
      [
        // BENCH_AGENT_NODE_ARGS="--flag …": Node or V8 flags for the agent, for experiments (docs/bench.md).
        ...(process.env['BENCH_AGENT_NODE_ARGS']?.split(/\s+/).filter(Boolean) ?? []),
        // BENCH_AGENT_CPU_PROF=<dir>: a V8 CPU profile of the agent, written there when it quits.
        ...(process.env['BENCH_AGENT_CPU_PROF']
          ? ['--cpu-prof', '--cpu-prof-dir', process.env['BENCH_AGENT_CPU_PROF']]
          : []),
        '--import',
        'tsx',
        process.env['BENCH_AGENT_SCRIPT'] ?? join(HERE, 'agentSender.ts'),
        '--listen',
        SENDER_IP,
        '--port',
        String(AGENT_PORT),
        '--mode',
        def.mode ?? 'video',
      ],
      { netns, stdin: true, env: { DISPLAY: x.display }, cwd: REPO },
    );
    procs.push(agent);
    const channel = new LineChannel(agent);
    const ready = await channel.next((m) => m['ready'] === true, 30_000, 'the agent to listen');
    log(`agent on ${x.display} (pid ${agent.pid}, change detection: ${String(ready['detection'])})`);
    return {
      display: x.display,
      wsUrl: `ws://${SENDER_IP}:${AGENT_PORT}/`,
      cpuGroups: { sender: [agent.pid], xserver: [x.proc.pid] },
      agent: channel,
      status: () => procsStatus(procs),
      stop: async () => {
        channel.send({ cmd: 'quit', id: 'quit' });
        await Promise.race([agent.exited, sleep(2000)]);
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
