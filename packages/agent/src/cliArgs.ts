/**
 * @module cliArgs
 * Command-line parsing of `remote-help-agent`, kept pure so it can be tested: argv in,
 * a typed command or a `UsageError` (exit code 2) out. `enroll` and `run` are device
 * enrollment and remote launch (see protocol `devices.ts`).
 */

import type { PixelPath } from './session/screenShare.js';

/** A bad command line. The CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A parsed command line. */
export type CliCommand =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'share'; server: string | null; display: string | null; window: boolean; pixels: PixelPath }
  | { command: 'signin'; server: string | null }
  | { command: 'signout'; server: string | null }
  | { command: 'enroll'; server: string; token: string }
  | { command: 'run'; window: boolean; pixels: PixelPath };

/** Commands and the flags each accepts (besides --help). */
const COMMANDS = {
  share: ['--server', '--display', '--no-window', '--allow-http', '--pixels'],
  signin: ['--server', '--allow-http'],
  signout: ['--server', '--allow-http'],
  enroll: ['--server', '--token', '--allow-http'],
  run: ['--no-window', '--pixels'],
} as const;
type CommandName = keyof typeof COMMANDS;
const TAKES_VALUE = new Set(['--server', '--display', '--token', '--pixels']);

/** The text of `remote-help-agent --help`. */
export const USAGE = `Usage: remote-help-agent <command> [options]

Get help from your organization's help desk: share your screen (and, if you allow it,
your mouse and keyboard) with a helper who gave you a security code.

Commands:
  share      Open the Remote Help window, enter the security code and share your screen
  signin     Sign in to a Remote Help server in your web browser
  signout    Sign out: forget the stored sign-in on this device and revoke it
  enroll     Enroll this device with an enrollment token from your administrator
  run        Stay connected so a helper can start a session on this device (remote launch)

Options:
  --server URL    The Remote Help server, e.g. https://help.example.com
                  (default: $REMOTE_HELP_SERVER, or the one server you signed in to)
  --display ID    share: the display to share (default: the primary display)
  --token TOKEN   enroll: the enrollment token
  --no-window     share, run: do not open the window; print its one-time address instead
  --pixels PATH   share, run: how the screen travels: tiles (default: changed areas only,
                  lowest latency) or video (a VP8 stream: less data for films and animation)
  --allow-http    Allow plain http to a server that is not on this computer (testing only)
  -h, --help      Show this help
  --version       Show the version

Environment:
  REMOTE_HELP_BROWSER     Command that opens URLs (sign-in page and the window)
  REMOTE_HELP_CONFIG_DIR  Where the sign-in and the device enrollment are stored
                          (default: your configuration folder)
`;

/** Parses `argv` (without node and the script). */
export function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (!Object.hasOwn(COMMANDS, first)) {
    throw new UsageError(
      first.startsWith('-') ? `Unknown option ${first}: give a command first` : `Unknown command ${first}`,
    );
  }
  const command = first as CommandName;
  const allowed: readonly string[] = COMMANDS[command];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '-h' || arg === '--help') return { command: 'help' };
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!allowed.includes(name)) throw new UsageError(`${command} does not take ${name}`);
    if (flags.has(name)) throw new UsageError(`${name} was given twice`);
    if (TAKES_VALUE.has(name)) {
      const value = eq < 0 ? rest[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
        throw new UsageError(`${name} needs a value`);
      }
      flags.set(name, value);
    } else {
      if (eq >= 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    }
  }
  const pixelsFlag = flags.get('--pixels') as string | undefined;
  if (pixelsFlag !== undefined && pixelsFlag !== 'tiles' && pixelsFlag !== 'video') {
    throw new UsageError(`--pixels takes tiles or video, not ${JSON.stringify(pixelsFlag)}`);
  }
  const pixels: PixelPath = pixelsFlag ?? 'tiles';
  if (command === 'run') return { command, window: !flags.has('--no-window'), pixels };

  const allowHttp = flags.has('--allow-http');
  const rawServer = (flags.get('--server') as string | undefined) ?? env['REMOTE_HELP_SERVER'] ?? null;
  const server = rawServer === null ? null : normalizeServerUrl(rawServer, allowHttp);
  if (command === 'enroll') {
    if (server === null) throw new UsageError('Give the server with --server URL (or set REMOTE_HELP_SERVER)');
    const token = flags.get('--token') as string | undefined;
    if (token === undefined) throw new UsageError('Give the enrollment token with --token TOKEN');
    if (!/^[\w.~-]{8,256}$/.test(token))
      throw new UsageError('That is not an enrollment token: check that it was copied whole');
    return { command, server, token };
  }
  if (command === 'share') {
    const display = (flags.get('--display') as string | undefined) ?? null;
    if (display !== null && !/^[\w.:-]{1,64}$/.test(display)) throw new UsageError(`Invalid display id ${display}`);
    return { command, server, display, window: !flags.has('--no-window'), pixels };
  }
  return { command, server };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a server URL and returns its origin. Only http(s), no credentials, query,
 * fragment or path; plain http only to this computer unless `allowHttp`.
 */
export function normalizeServerUrl(raw: string, allowHttp = false): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`Invalid server URL ${JSON.stringify(raw)}: give it like https://help.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`Invalid server URL ${raw}: it must start with https://`);
  }
  if (url.username || url.password) throw new UsageError('The server URL must not contain a user name or password');
  if (url.search || url.hash) throw new UsageError('The server URL must not have a query or fragment');
  if (url.pathname !== '/') throw new UsageError('The server URL must be the server itself, without a path');
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new UsageError(
      `Refusing plain http to ${url.host}: your sign-in would travel unencrypted. Use https, or --allow-http for a test server.`,
    );
  }
  return url.origin;
}
