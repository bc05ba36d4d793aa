/**
 * @module testing/xvfb
 * Test helpers: a private Xvfb server on a free display number, and small
 * wrappers around the X command-line tools. Not part of the build.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Whether `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

export interface Xvfb {
  /** `:N` */
  display: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface XvfbOptions {
  /**
   * A display number of the test's own, above the ones `-displayfd` hands out (it takes
   * the lowest free one). For a test that kills its X server and starts it again on the
   * same display: with a low number, another test's Xvfb could take it in between.
   * Tried upwards from here until one is free.
   */
  privateFrom?: number;
}

/** Display numbers tried from `privateFrom` before giving up. */
const PRIVATE_TRIES = 50;

/**
 * Starts `Xvfb :<free> -screen 0 <size>`; Xvfb picks the free display number itself
 * (`-displayfd`) and reports it once it accepts connections.
 */
export async function startXvfb(size = '1280x720x24', timeoutMs = 10_000, options: XvfbOptions = {}): Promise<Xvfb> {
  if (options.privateFrom === undefined) return spawnXvfb([], size, timeoutMs);
  let last: unknown;
  for (let n = options.privateFrom; n < options.privateFrom + PRIVATE_TRIES; n++) {
    try {
      return await spawnXvfb([`:${n}`], size, timeoutMs);
    } catch (error) {
      last = error; // taken: the next one
    }
  }
  throw new Error(`no free display from :${options.privateFrom}: ${String(last)}`);
}

function spawnXvfb(display: string[], size: string, timeoutMs: number): Promise<Xvfb> {
  return spawnXServer(
    'Xvfb',
    [...display, '-displayfd', '3', '-screen', '0', size, '-nolisten', 'tcp', '-noreset'],
    timeoutMs,
  );
}

/**
 * Starts TigerVNC's `Xvnc` on a free display (`-displayfd`), with no VNC listener: an X server
 * whose resolution `xrandr` can change while a test runs (Xvfb's one RandR mode is fixed).
 * `size` is `WIDTHxHEIGHT`. Shares {@link Xvfb}'s shape.
 */
export function startXvnc(size = '1280x720', timeoutMs = 10_000): Promise<Xvfb> {
  const args = ['-displayfd', '3', '-geometry', size, '-depth', '24', '-rfbport', '-1', '-SecurityTypes', 'None'];
  return spawnXServer('Xvnc', [...args, '-nolisten', 'tcp', '-noreset'], timeoutMs);
}

async function spawnXServer(command: string, args: string[], timeoutMs: number): Promise<Xvfb> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const number = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${stderr}`)), timeoutMs);
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${stderr}`));
    });
  });
  return {
    display: `:${number}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Runs an X tool against `display` and returns its stdout. */
export async function xtool(display: string, command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { env: { ...process.env, DISPLAY: display }, timeout: 10_000 });
  return stdout;
}

/** The pointer position according to `xdotool getmouselocation`. */
export async function pointerLocation(display: string): Promise<{ x: number; y: number }> {
  const out = await xtool(display, 'xdotool', ['getmouselocation', '--shell']);
  const x = /X=(\d+)/.exec(out)?.[1];
  const y = /Y=(\d+)/.exec(out)?.[1];
  return { x: Number(x), y: Number(y) };
}

/** Resolves once `predicate` returns true (polling), or rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Starts Xvfb on `display` again (a test that killed the one there), `size` as `WxHxDEPTH`, and
 * waits until it answers `xdpyinfo`.
 */
export async function restartXvfb(display: string, size: string): Promise<ChildProcess> {
  const child = spawn('Xvfb', [display, '-screen', '0', size, '-nolisten', 'tcp', '-noreset'], { stdio: 'ignore' });
  const answers = () =>
    xtool(display, 'xdpyinfo', []).then(
      () => true,
      () => false,
    );
  await waitFor(answers, 10_000, `Xvfb on ${display} again`);
  return child;
}
