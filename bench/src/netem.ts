/**
 * The emulated link: two network namespaces (sender side, viewer side) joined only by
 * the userspace forwarder `netem.c` (compiled with gcc at run time), which applies rate,
 * one-way delay, random loss and a bounded queue to every packet in both directions.
 * The namespaces have no other interface than their loopback and the TUN device, so no
 * packet can leave the machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineChannel, log, onCleanup, run, start, type Proc } from './proc.js';

export interface LinkProfile {
  name: string;
  /** kbit/s; 0 = unlimited. */
  rateKbit: number;
  /** One-way delay in ms (each direction). */
  delayMs: number;
  /** Random loss probability per packet, each direction. */
  loss: number;
  /** Bytes allowed to wait for the link before tail drop. */
  queueBytes: number;
}

/** The bench's link profiles (the issue's: local, 10 Mbit/s · 20 ms, 2 Mbit/s · 40 ms · 1 %). */
export const PROFILES: LinkProfile[] = [
  { name: 'local', rateKbit: 0, delayMs: 0, loss: 0, queueBytes: 0 },
  { name: '10M-20ms', rateKbit: 10_000, delayMs: 20, loss: 0, queueBytes: 64_000 },
  { name: '2M-40ms-1%', rateKbit: 2_000, delayMs: 40, loss: 0.01, queueBytes: 64_000 },
];

export interface LinkCounters {
  /** sender → viewer */
  down: { bytes: number; pkts: number; lost: number; queueDrops: number };
  /** viewer → sender */
  up: { bytes: number; pkts: number; lost: number; queueDrops: number };
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'netem.c');
const BINARY = '/tmp/remote-help-bench/netem';

/** Compiles the forwarder when the binary is missing or older than the source. */
function buildForwarder(): string {
  mkdirSync(dirname(BINARY), { recursive: true });
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    execFileSync('gcc', ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: 'inherit', timeout: 60_000 });
  }
  return BINARY;
}

/**
 * The seed of the forwarder's loss: which packets the random loss drops is a fixed function of
 * the seed and of the packets' order, so every run with the same seed drops the same packet
 * numbers. The bench keeps 12345, so that its pipelines and its runs meet the same pattern;
 * `BENCH_NETEM_SEED` chooses another (`random`: a new one per link, printed), for comparisons
 * whose two sides send different packets — a fixed pattern then lands on one side's
 * important packets and not the other's, every time.
 */
function lossSeed(): number {
  const raw = process.env['BENCH_NETEM_SEED'];
  if (raw === undefined || raw === '') return 12345;
  if (raw === 'random') return 1 + Math.floor(Math.random() * 1e9);
  if (!/^\d{1,15}$/.test(raw)) throw new Error(`BENCH_NETEM_SEED must be a whole number or "random", not ${raw}`);
  return Number(raw);
}

export const SENDER_IP = '10.250.0.1';
export const VIEWER_IP = '10.250.0.2';

export class Link {
  readonly senderNs: string;
  readonly viewerNs: string;
  readonly profile: LinkProfile;
  #proc: Proc;
  #channel: LineChannel;

  /** The seed of the link's random loss (see `BENCH_NETEM_SEED`). */
  readonly lossSeed: number;

  private constructor(
    senderNs: string,
    viewerNs: string,
    profile: LinkProfile,
    proc: Proc,
    channel: LineChannel,
    lossSeed: number,
  ) {
    this.lossSeed = lossSeed;
    this.senderNs = senderNs;
    this.viewerNs = viewerNs;
    this.profile = profile;
    this.#proc = proc;
    this.#channel = channel;
  }

  /** Creates both namespaces and the forwarder for `profile`. */
  static async open(profile: LinkProfile): Promise<Link> {
    const binary = buildForwarder();
    const tag = `rhb${process.pid % 100000}`;
    const senderNs = `${tag}-snd`;
    const viewerNs = `${tag}-vwr`;
    for (const ns of [senderNs, viewerNs]) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // did not exist
      }
      run('ip', ['netns', 'add', ns]);
      onCleanup(() => {
        try {
          run('ip', ['netns', 'del', ns]);
        } catch {
          // already gone
        }
      });
      run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const seed = lossSeed();
    const proc = start('netem', binary, [
      senderNs,
      `${tag}s0`,
      viewerNs,
      `${tag}v0`,
      String(profile.rateKbit),
      String(profile.delayMs),
      String(profile.loss),
      String(profile.queueBytes),
      String(seed),
    ]);
    const channel = new LineChannel(proc);
    await waitReady(proc);
    run('ip', ['-n', senderNs, 'addr', 'add', SENDER_IP, 'peer', VIEWER_IP, 'dev', `${tag}s0`]);
    run('ip', ['-n', senderNs, 'link', 'set', `${tag}s0`, 'up']);
    run('ip', ['-n', viewerNs, 'addr', 'add', VIEWER_IP, 'peer', SENDER_IP, 'dev', `${tag}v0`]);
    run('ip', ['-n', viewerNs, 'link', 'set', `${tag}v0`, 'up']);
    log(`link ${profile.name}: ${senderNs} <-> ${viewerNs} through the forwarder (pid ${proc.pid}, loss seed ${seed})`);
    return new Link(senderNs, viewerNs, profile, proc, channel, seed);
  }

  /** Byte and packet counters since the forwarder started. */
  async counters(): Promise<LinkCounters> {
    const reply = this.#channel.next((m) => 'aToB' in m, 3000, 'forwarder counters');
    process.kill(this.#proc.pid, 'SIGUSR1');
    const m = await reply;
    const pick = (d: unknown) => {
      const r = d as Record<string, number>;
      return {
        bytes: r['outBytes'] ?? 0,
        pkts: r['outPkts'] ?? 0,
        lost: r['lost'] ?? 0,
        queueDrops: r['queueDrops'] ?? 0,
      };
    };
    return { down: pick(m['aToB']), up: pick(m['bToA']) };
  }

  async close(): Promise<void> {
    await this.#proc.stop();
    for (const ns of [this.senderNs, this.viewerNs]) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  }
}

async function waitReady(proc: Proc): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!proc.stdout().includes('ready')) {
    if (proc.child.exitCode !== null) throw new Error(`forwarder exited: ${proc.stderr()}`);
    if (Date.now() > deadline) throw new Error(`forwarder did not start: ${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Difference of two counter snapshots. */
export function diffCounters(a: LinkCounters, b: LinkCounters): LinkCounters {
  const d = (x: LinkCounters['down'], y: LinkCounters['down']) => ({
    bytes: y.bytes - x.bytes,
    pkts: y.pkts - x.pkts,
    lost: y.lost - x.lost,
    queueDrops: y.queueDrops - x.queueDrops,
  });
  return { down: d(a.down, b.down), up: d(a.up, b.up) };
}
