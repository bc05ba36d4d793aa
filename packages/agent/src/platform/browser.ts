/**
 * @module platform/browser
 * Opens URLs outside the agent: the sign-in page in the user's default browser
 * (RFC 8252 wants the system browser, where the user's IdP session and password
 * manager live) and the agent window as a Chromium app window when one is installed.
 * `REMOTE_HELP_BROWSER` overrides both: a command (split on spaces, no shell) that
 * gets the URL as its last argument.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AgentError } from '../errors.js';

/** Browsers that understand `--app=URL` (a window without tabs or address bar), in order of preference. */
const APP_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];

/** How to open a URL. */
export interface OpenOptions {
  /** Open as an app window (Chromium `--app`) when possible. */
  appWindow?: boolean;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

/** The command line that `openUrl` would run (exported for tests). */
export function browserCommand(url: string, options: OpenOptions = {}): { command: string; args: string[] } {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const override = env['REMOTE_HELP_BROWSER']?.trim();
  if (override) {
    const [command, ...args] = override.split(/\s+/) as [string, ...string[]];
    return { command, args: [...args, url] };
  }
  if (options.appWindow && platform === 'linux') {
    const app = APP_BROWSERS.find((name) => onPath(name, env['PATH']));
    if (app) return { command: app, args: [`--app=${url}`, '--new-window'] };
  }
  if (platform === 'darwin') return { command: 'open', args: [url] };
  return { command: 'xdg-open', args: [url] };
}

/** Starts the browser with `url` and returns once it has started (it is not waited for). */
export async function openUrl(url: string, options: OpenOptions = {}): Promise<void> {
  const { command, args } = browserCommand(url, options);
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
}

function onPath(command: string, path = ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}
