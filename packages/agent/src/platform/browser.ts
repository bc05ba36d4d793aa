/**
 * @module platform/browser
 * Opens URLs outside the agent: the sign-in page in the user's default browser
 * (RFC 8252 wants the system browser, where the user's IdP session and password
 * manager live) and the agent window as a Chromium app window when one is installed.
 * `REMOTE_HELP_BROWSER` overrides both: a command (split on spaces, no shell) that
 * gets the URL as its last argument.
 *
 * Every URL the agent opens holds a secret (the window's one-time token; the sign-in's state and
 * PKCE challenge), and any local user can read any process's command line (`/proc/PID/cmdline`,
 * `ps`). So the browser is never given the URL: it gets the `file://` address of a small
 * hand-over page, written 0600 in the agent's private 0700 folder (`config/paths.ts`
 * `runtimeDir`), that sends it on with `location.replace`. The page is deleted once the secret
 * is spent (the window opened, the sign-in finished), after {@link HAND_OVER_MS} at the latest,
 * and when the agent exits. A browser confined as a snap (Ubuntu's Chromium and Firefox) may read
 * only its own folder of the runtime directory: the page goes there for it (`snap.<name>`).
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, unlinkSync } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { privateFolder, runtimeDir } from '../config/paths.js';
import { AgentError } from '../errors.js';

/** Browsers that understand `--app=URL` (a window without tabs or address bar), in order of preference. */
const APP_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];

/** How long a hand-over page may wait for the browser to read it, at most. */
export const HAND_OVER_MS = 60_000;
/** Hand-over pages are named `open-<random>.html`; older ones left by a process that died are swept. */
const HAND_OVER_FILE = /^open-[\w-]+\.html$/;

/** How to open a URL. */
export interface OpenOptions {
  /** Open as an app window (Chromium `--app`) when possible. */
  appWindow?: boolean;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Folder of the hand-over page (default: `runtimeDir(env)`); made 0700 and checked. */
  dir?: string;
  /** The secret of the URL is spent once this settles (or aborts): the hand-over page goes then. */
  until?: PromiseLike<unknown> | AbortSignal;
  /** Deletes the hand-over page after this long at the latest (default {@link HAND_OVER_MS}). */
  handOverMs?: number;
}

/** A URL handed to the browser. */
export interface Opened {
  /** The hand-over page the browser was given (deleted by now or soon). */
  readonly file: string;
  /** Deletes the hand-over page now (idempotent). */
  close(): void;
}

/** The command line that `openUrl` would run for `target` (exported for tests): give it the hand-over page's address. */
export function browserCommand(target: string, options: OpenOptions = {}): { command: string; args: string[] } {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const override = env['REMOTE_HELP_BROWSER']?.trim();
  if (override) {
    const [command, ...args] = override.split(/\s+/) as [string, ...string[]];
    return { command, args: [...args, target] };
  }
  if (options.appWindow && platform === 'linux') {
    const app = APP_BROWSERS.find((name) => findOnPath(name, env['PATH']) !== null);
    if (app) return { command: app, args: [`--app=${target}`, '--new-window'] };
  }
  if (platform === 'darwin') return { command: 'open', args: [target] };
  return { command: 'xdg-open', args: [target] };
}

/** The snap a browser found at `path` runs in (`/snap/bin/<name>`), or null. */
export function snapOfPath(path: string | null): string | null {
  return /^\/snap\/bin\/([a-z0-9][a-z0-9-]*)$/.exec(path ?? '')?.[1] ?? null;
}

/** The snap of a default browser from its desktop file's name (snaps name theirs `<snap>_<app>.desktop`), or null. */
export function snapOfDesktopFile(name: string): string | null {
  return /^([a-z0-9][a-z0-9-]*)_[\w.-]+\.desktop$/.exec(name.trim())?.[1] ?? null;
}

/**
 * Where the hand-over page goes: `REMOTE_HELP_RUNTIME_DIR` when set; for a browser confined as
 * `snap` (Linux), that snap's own folder of the runtime directory, the one place under it the
 * snap may read (`$XDG_RUNTIME_DIR/snap.<name>`, 0700 like its parent); else `runtimeDir`.
 */
export function handOverDir(env: Record<string, string | undefined>, snap: string | null): string {
  const xdg = env['XDG_RUNTIME_DIR'];
  if (!env['REMOTE_HELP_RUNTIME_DIR'] && snap && xdg && xdg.startsWith('/')) return join(xdg, `snap.${snap}`);
  return runtimeDir(env);
}

/** The snap the browser `openUrl` starts runs in, or null (not Linux, `REMOTE_HELP_BROWSER`, not a snap, unknown). */
async function browserSnap(options: OpenOptions): Promise<string | null> {
  const env = options.env ?? process.env;
  if (env['REMOTE_HELP_BROWSER']?.trim() || (options.platform ?? process.platform) !== 'linux') return null;
  if (options.appWindow) {
    for (const name of APP_BROWSERS) {
      const path = findOnPath(name, env['PATH']);
      if (path) return snapOfPath(path);
    }
  }
  // xdg-open: the desktop's default browser.
  return new Promise((resolve) => {
    execFile(
      'xdg-settings',
      ['get', 'default-web-browser'],
      { timeout: 2000, env: { ...process.env, ...options.env } },
      (error, stdout) => resolve(error ? null : snapOfDesktopFile(String(stdout))),
    );
  });
}

/** The hand-over page: sends the browser to `url` without leaving itself in the history. */
export function handOverPage(url: string): string {
  const href = new URL(url).href;
  // JSON is a JavaScript string literal; `<` escaped so that nothing in it can close the script.
  const literal = JSON.stringify(href).replace(/</g, '\\u003c');
  return (
    '<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
    `<title>Remote Help</title><script>location.replace(${literal});</script></head><body></body></html>\n`
  );
}

/** The URL a hand-over page sends the browser to (for tests and test browsers), or null. */
export function handOverTarget(html: string): string | null {
  const literal = /location\.replace\(("(?:[^"\\]|\\.)*")\)/.exec(html)?.[1];
  return literal ? (JSON.parse(literal) as string) : null;
}

/** Hand-over pages not yet deleted, removed at the latest when the process exits. */
const live = new Set<string>();
let exitHook = false;

function remove(file: string): void {
  if (!live.delete(file)) return;
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}

/** Writes a hand-over page for `url` (mode 0600, a new file, in the private folder `dir`) and returns its path. */
export async function writeHandOver(url: string, dir: string): Promise<string> {
  await privateFolder(dir);
  await sweep(dir);
  const file = join(dir, `open-${randomBytes(18).toString('base64url')}.html`);
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(handOverPage(url));
  } finally {
    await handle.close();
  }
  live.add(file);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const left of [...live]) remove(left);
    });
  }
  return file;
}

/** Deletes hand-over pages older than twice their lifetime (left by an agent that was killed). */
async function sweep(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const before = Date.now() - 2 * HAND_OVER_MS;
  for (const name of names) {
    if (!HAND_OVER_FILE.test(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && info.mtimeMs < before) await unlink(path).catch(() => undefined);
  }
}

/**
 * Starts the browser on a hand-over page for `url` and returns once it has started (it is not
 * waited for). The page goes when `until` settles, after `handOverMs`, or at exit.
 */
export async function openUrl(url: string, options: OpenOptions = {}): Promise<Opened> {
  const dir = options.dir ?? handOverDir({ ...process.env, ...options.env }, await browserSnap(options));
  const file = await writeHandOver(url, dir).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('browser_unavailable', `Cannot write the page that opens the browser: ${reason}`, undefined, {
      cause: error,
    });
  });
  const timer = setTimeout(() => remove(file), options.handOverMs ?? HAND_OVER_MS);
  timer.unref();
  const close = (): void => {
    clearTimeout(timer);
    remove(file);
  };
  const until = options.until;
  if (until && 'aborted' in until) {
    if (until.aborted) close();
    else until.addEventListener('abort', close, { once: true });
  } else if (until) {
    until.then(close, close);
  }
  const { command, args } = browserCommand(pathToFileURL(file).href, options);
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', env: { ...process.env, ...options.env } });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new AgentError(
            'browser_unavailable',
            `Cannot start ${command}: ${error.message}`,
            { command },
            { cause: error },
          ),
        ),
      );
    });
    child.unref();
  } catch (error) {
    close();
    throw error;
  }
  return { file, close };
}

/** Where `command` is on `path` (an executable file), or null. */
function findOnPath(command: string, path = ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, basename(command));
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}
