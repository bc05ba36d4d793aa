/**
 * A small private network for the network-change journeys, made of Linux network
 * namespaces (needs root and iproute2). A bridge in the root namespace carries the
 * test's own subnet 10.213.<n>.0/24 (n random per run); the server listens on the
 * bridge's address (.1), the helper's namespace has one veth at .10, the sharer's
 * namespace a veth at .20. {@link NetnsLab.move} is the network change: a second veth
 * pair with a new address (.21 for the sharer, .11 for the helper) comes up in that side's
 * namespace and the first one is deleted, so every socket and ICE candidate pair of the
 * old address dies.
 * Nothing is routed through the root namespace (all on one bridge), so no host setting
 * (`ip_forward`, firewall) is read or changed. With `isolate` (the TURN relay journey) the
 * two sides' bridge ports are isolated from each other (a bridge port flag: they reach the
 * bridge's own addresses only), and the bridge gets a second address outside the lab's
 * subnet, `relayAddress`, which neither side has a route to: a TURN server relaying from
 * there is the only way between them. Every name carries a per-run tag; `close`
 * (also run on process exit) deletes the namespaces, the bridge and the wrapper scripts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the lab cannot run here, or null when it can. */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip`) is not installed (scripts/ensure-system-deps.mjs installs it)';
  }
  return null;
}

/** Writes (in `dir`) an executable that runs `program` inside namespace `ns` with the arguments it gets. */
export function writeWrapper(dir: string, ns: string, program: string): string {
  const path = join(dir, `${ns}-${program.replace(/\W+/g, '_')}`);
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} ${program} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

export interface NetnsLab {
  /** Per-run tag in every name. */
  readonly tag: string;
  /** The server's address (on the bridge, in the root namespace). */
  readonly serverAddress: string;
  /** With `isolate`: an address of the root namespace that neither side can reach (a TURN relay address). */
  readonly relayAddress: string | null;
  readonly helperNs: string;
  readonly sharerNs: string;
  /** The helper's current address (changes with {@link move}). */
  helperAddress: string;
  /** The sharer's current address (changes with {@link move}). */
  sharerAddress: string;
  /** An executable that runs `program` with its arguments inside namespace `ns`. */
  wrapper(ns: string, program: string): string;
  /** Runs a command inside a namespace and returns its output. */
  exec(ns: string, command: string[]): string;
  /**
   * The network change: a second veth (new address) comes up for one side, then its
   * first one is deleted. Returns when the new path is up (`upAt`, epoch ms), when the old
   * one's deletion started (`removingAt`) and when the command deleting it had returned
   * (`oldGoneAt`). Something that notices the loss at once (the agent checks its addresses on
   * every heartbeat tick) can do so before `oldGoneAt`: look for reactions from `removingAt` on.
   */
  move(side: 'helper' | 'sharer'): { upAt: number; removingAt: number; oldGoneAt: number; address: string };
  close(): void;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Options of {@link createLab}. */
export interface LabOptions {
  /** The helper and the sharer cannot reach each other, only the bridge's addresses (see the module description). */
  isolate?: boolean;
}

/** Builds the lab; on any failure what was made is taken down again. */
export function createLab(options: LabOptions = {}): NetnsLab {
  const tag = Math.random().toString(36).slice(2, 7);
  let subnet = 0;
  for (let i = 0; i < 20 && subnet === 0; i++) {
    const n = 1 + Math.floor(Math.random() * 254);
    const used = ip('-4', 'addr', 'show');
    if (!used.includes(`10.213.${n}.`) && !used.includes(`10.214.${n}.`)) subnet = n;
  }
  if (subnet === 0) throw new Error('no free 10.213.n.0/24 subnet for the network lab');
  const net = `10.213.${subnet}`;
  const bridge = `rh${tag}br`;
  const helperNs = `rh-${tag}-helper`;
  const sharerNs = `rh-${tag}-sharer`;
  const dir = mkdtempSync(join(tmpdir(), `rh-netns-${tag}-`));
  const links = { helper: 0, sharer: 0 };
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    process.off('exit', close);
    for (const command of [
      ['netns', 'del', helperNs],
      ['netns', 'del', sharerNs],
      ['link', 'del', bridge],
    ]) {
      try {
        ip(...command);
      } catch {
        // Already gone (or never made).
      }
    }
    // Host-side veth ends vanish with their namespace peers; make sure none is left behind.
    for (const line of ip('-o', 'link', 'show').split('\n')) {
      const name = /^\d+: (rh[a-z0-9]{5}[hs]\d)[@:]/.exec(line)?.[1];
      if (name?.startsWith(`rh${tag}`)) {
        try {
          ip('link', 'del', name);
        } catch {
          // Raced with the kernel's own cleanup.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', close);

  /** A veth pair: host end on the bridge, other end in `ns` with `address`. */
  const addVeth = (ns: string, host: string, inner: string, address: string): void => {
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', inner, 'netns', ns);
    ip('link', 'set', host, 'master', bridge, 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner);
    ip('-n', ns, 'link', 'set', inner, 'up');
    if (options.isolate) ip('link', 'set', 'dev', host, 'type', 'bridge_slave', 'isolated', 'on');
  };
  const relayAddress = options.isolate ? `10.214.${subnet}.1` : null;

  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    // Deleted with the bridge.
    if (relayAddress) ip('addr', 'add', `${relayAddress}/32`, 'dev', bridge);
    for (const ns of [helperNs, sharerNs]) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    addVeth(helperNs, `rh${tag}h0`, 'eth0', `${net}.10`);
    addVeth(sharerNs, `rh${tag}s0`, 'eth0', `${net}.20`);
  } catch (error) {
    close();
    throw error;
  }

  return {
    tag,
    serverAddress: `${net}.1`,
    relayAddress,
    helperNs,
    sharerNs,
    helperAddress: `${net}.10`,
    sharerAddress: `${net}.20`,
    wrapper: (ns, program) => writeWrapper(dir, ns, program),
    exec(ns, command) {
      return execFileSync('ip', ['netns', 'exec', ns, ...command], { encoding: 'utf8' });
    },
    move(side) {
      const ns = side === 'helper' ? helperNs : sharerNs;
      const old = links[side];
      const link = (links[side] += 1);
      const address = `${net}.${(side === 'helper' ? 10 : 20) + link}`;
      addVeth(ns, `rh${tag}${side === 'helper' ? 'h' : 's'}${link}`, `eth${link}`, address);
      const upAt = Date.now();
      const removingAt = Date.now();
      ip('-n', ns, 'link', 'del', `eth${old}`);
      const oldGoneAt = Date.now();
      if (side === 'helper') this.helperAddress = address;
      else this.sharerAddress = address;
      return { upAt, removingAt, oldGoneAt, address };
    },
    close,
  };
}
