/**
 * @module testing/weston
 * Test helper: a real Wayland session without a screen. Weston's headless backend is the
 * compositor and its XWayland module the X server of the session, as on a Wayland desktop
 * (GNOME, KDE Plasma): X11 programs connect to XWayland, whose root window is not the desktop.
 * Not part of the build.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WaylandSession {
  /** XWayland's display, `:N`. */
  display: string;
  /** The Wayland socket's name (in `runtimeDir`). */
  waylandDisplay: string;
  runtimeDir: string;
  stop(): Promise<void>;
}

/** Starts Weston (headless, with XWayland); resolves once the X display is listening. */
export async function startWaylandSession(timeoutMs = 10_000): Promise<WaylandSession> {
  // Wayland wants a runtime directory of the user's own, mode 0700 (mkdtemp makes it so).
  const runtimeDir = mkdtempSync(join(tmpdir(), 'rh-wayland-'));
  const waylandDisplay = 'rh-test';
  const child = spawn(
    'weston',
    [
      '--backend=headless-backend.so',
      '--xwayland',
      `--socket=${waylandDisplay}`,
      '--width=1280',
      '--height=720',
      '--use-pixman',
      '--idle-time=0',
    ],
    // Its own process group: Weston starts XWayland and its shell clients, which go with it.
    { env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = () => {
        rmSync(runtimeDir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return done();
      const group = -child.pid;
      // The group may be gone between the check above and the signal (ESRCH): then there is nothing to stop.
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(group, name);
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => signal('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      signal('SIGTERM');
    });
  try {
    const display = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`weston did not start:\n${log}`)), timeoutMs);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const found = /xserver listening on display (:\d+)/.exec(log);
        if (found) {
          clearTimeout(timer);
          resolve(found[1] as string);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`weston exited with ${code}:\n${log}`));
      });
    });
    return { display, waylandDisplay, runtimeDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
