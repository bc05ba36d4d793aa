/**
 * A coturn (`turnserver`, Debian package `coturn`) for the TURN relay journey, started by
 * the test with `use-auth-secret`: it listens on the lab bridge's address, where both
 * namespaces reach it, on 443 when that port is free there (the port firewalls leave open)
 * and on a free port otherwise, UDP and TCP alike; it relays from the lab's `relayAddress`,
 * which neither namespace can reach, so every relayed packet passes through it. `stop`
 * (also run on process exit) ends it and removes its files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Coturn {
  /** The address and port clients reach it on (UDP and TCP). */
  readonly address: string;
  readonly port: number;
  readonly realm: string;
  /** What it logged so far (allocations name their username). */
  log(): string;
  /** The usernames of the allocations it granted, in order. */
  allocatedTo(): string[];
  stop(): Promise<void>;
}

/** Whether `port` is free for both TCP and UDP on `address`. */
async function portFree(address: string, port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, address, () => socket.close(() => resolve(true)));
  });
}

/** A free TCP+UDP port on `address`: 443 when it is free, a random one otherwise. */
async function choosePort(address: string): Promise<number> {
  if (await portFree(address, 443)) return 443;
  for (let i = 0; i < 20; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (await portFree(address, port)) return port;
  }
  throw new Error(`no free port for coturn on ${address}`);
}

/** Starts coturn; resolves once it listens. */
export async function startCoturn(options: {
  listen: string;
  relay: string;
  secret: string;
  realm?: string;
}): Promise<Coturn> {
  const realm = options.realm ?? 'remote-help.test';
  const port = await choosePort(options.listen);
  const dir = mkdtempSync(join(tmpdir(), 'rh-coturn-e2e-'));
  const relayBase = 40_000 + Math.floor(Math.random() * 200) * 50;
  let output = '';
  const child: ChildProcess = spawn(
    'turnserver',
    [
      '-n',
      `--listening-ip=${options.listen}`,
      `--relay-ip=${options.relay}`,
      `--listening-port=${port}`,
      `--min-port=${relayBase}`,
      `--max-port=${relayBase + 49}`,
      '--use-auth-secret',
      `--static-auth-secret=${options.secret}`,
      `--realm=${realm}`,
      `--userdb=${join(dir, 'turndb')}`,
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      // Verbose: each allocation is logged with its username and outcome.
      '--verbose',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearInterval(poll);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`coturn did not start:\n${output}`)), 15_000);
      child.once('error', done);
      child.once('exit', (code) => done(new Error(`coturn exited (${code}):\n${output}`)));
      const poll = setInterval(() => {
        if (output.includes('Total General servers')) done();
      }, 50);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const allocatedTo = () =>
    [...output.matchAll(/user <([^>]+)>: incoming packet ALLOCATE processed, success/g)].map((m) => m[1]!);
  return { address: options.listen, port, realm, log: () => output, allocatedTo, stop };
}
