/**
 * @module cliArgs
 * Command-line parsing of `remote-help-agent`, kept pure so it can be tested: argv in,
 * a typed command or a `UsageError` (exit code 2) out. `enroll` and `run` are device
 * enrollment and remote launch (see protocol `devices.ts`); `status` shows the enrollment
 * (asking the server) and the stored sign-ins.
 */

import type { LanguageTag } from '@remote-help/protocol';
import { translator, type MessageKey, type MessageValues } from './i18n/index.js';
import type { PixelPath } from './session/screenShare.js';

/**
 * A bad command line. The CLI prints it in the user's language (`text`) and exits with code 2;
 * `message` is the English text.
 */
export class UsageError extends Error {
  readonly key: MessageKey;
  readonly values: MessageValues;

  constructor(key: MessageKey, values: MessageValues = {}) {
    super(translator('en').t(key, values));
    this.name = 'UsageError';
    this.key = key;
    this.values = values;
  }

  /** The message in `language`. */
  text(language: LanguageTag): string {
    return translator(language).t(this.key, this.values);
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
  | { command: 'run'; window: boolean; pixels: PixelPath }
  | { command: 'status' };

/** Commands and the flags each accepts (besides --help). */
const COMMANDS = {
  share: ['--server', '--display', '--no-window', '--allow-http', '--pixels'],
  signin: ['--server', '--allow-http'],
  signout: ['--server', '--allow-http'],
  enroll: ['--server', '--token', '--allow-http'],
  run: ['--no-window', '--pixels'],
  status: [],
} as const;
type CommandName = keyof typeof COMMANDS;
const TAKES_VALUE = new Set(['--server', '--display', '--token', '--pixels']);

/** The text of `remote-help-agent --help` in `language`: the descriptions translated, commands and flags as typed. */
export function usage(language: LanguageTag): string {
  const i18n = translator(language);
  const rows = (entries: readonly (readonly [string, string])[]): string[] =>
    entries.map(([name, text]) => `  ${name.padEnd(22)}  ${text}`);
  return [
    i18n.t('cli.usage.synopsis', { synopsis: 'remote-help-agent <command> [options]' }),
    '',
    i18n.t('cli.usage.intro'),
    '',
    i18n.t('cli.usage.commands'),
    ...rows([
      ['share', i18n.t('cli.usage.share')],
      ['signin', i18n.t('cli.usage.signin')],
      ['signout', i18n.t('cli.usage.signout')],
      ['enroll', i18n.t('cli.usage.enroll')],
      ['run', i18n.t('cli.usage.run')],
      ['status', i18n.t('cli.usage.status')],
    ]),
    '',
    i18n.t('cli.usage.options'),
    ...rows([
      [
        '--server URL',
        i18n.t('cli.usage.server', { example: 'https://help.example.com', variable: '$REMOTE_HELP_SERVER' }),
      ],
      ['--display ID', i18n.t('cli.usage.display')],
      ['--token TOKEN', i18n.t('cli.usage.token')],
      ['--no-window', i18n.t('cli.usage.noWindow')],
      ['--pixels tiles|video', i18n.t('cli.usage.pixels', { tiles: 'tiles', video: 'video' })],
      ['--language TAG', i18n.t('cli.usage.language', { example: 'de, ja, pt-BR', variable: '$REMOTE_HELP_LANGUAGE' })],
      ['--allow-http', i18n.t('cli.usage.allowHttp')],
      ['-h, --help', i18n.t('cli.usage.help')],
      ['--version', i18n.t('cli.usage.version')],
    ]),
    '',
    i18n.t('cli.usage.environment'),
    ...rows([
      ['REMOTE_HELP_BROWSER', i18n.t('cli.usage.envBrowser')],
      ['REMOTE_HELP_CONFIG_DIR', i18n.t('cli.usage.envConfigDir')],
      ['REMOTE_HELP_LANGUAGE', i18n.t('cli.usage.envLanguage')],
    ]),
    '',
  ].join('\n');
}

/** The English help text. */
export const USAGE = usage('en');

/**
 * Takes `--language TAG` (or `--language=TAG`) out of `argv`, wherever it stands: it applies to
 * every command and to the messages about the rest of the command line.
 */
export function splitLanguageFlag(argv: readonly string[]): { language: string | null; rest: string[] } {
  const rest: string[] = [];
  let language: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== '--language' && !arg.startsWith('--language=')) {
      rest.push(arg);
      continue;
    }
    if (language !== null) throw new UsageError('cli.arg.twice', { option: '--language' });
    const value = arg === '--language' ? argv[++i] : arg.slice('--language='.length);
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new UsageError('cli.arg.needsValue', { option: '--language' });
    }
    language = value;
  }
  return { language, rest };
}

/** What the administrator configured at install time (`config/installConfig.ts`): used when the command line says nothing. */
export interface InstallDefaults {
  /** An origin, already checked. */
  server?: string;
  enrollmentToken?: string;
}

/** Parses `argv` (without node and the script). */
export function parseArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
  defaults: InstallDefaults = {},
): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-v') return { command: 'version' };
  if (!Object.hasOwn(COMMANDS, first)) {
    throw first.startsWith('-')
      ? new UsageError('cli.arg.unknownOption', { option: first })
      : new UsageError('cli.arg.unknownCommand', { command: first });
  }
  const command = first as CommandName;
  const allowed: readonly string[] = COMMANDS[command];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '-h' || arg === '--help') return { command: 'help' };
    if (!arg.startsWith('--')) throw new UsageError('cli.arg.unexpected', { argument: JSON.stringify(arg) });
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!allowed.includes(name)) throw new UsageError('cli.arg.notTaken', { command, option: name });
    if (flags.has(name)) throw new UsageError('cli.arg.twice', { option: name });
    if (TAKES_VALUE.has(name)) {
      const value = eq < 0 ? rest[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
        throw new UsageError('cli.arg.needsValue', { option: name });
      }
      flags.set(name, value);
    } else {
      if (eq >= 0) throw new UsageError('cli.arg.noValue', { option: name });
      flags.set(name, true);
    }
  }
  const pixelsFlag = flags.get('--pixels') as string | undefined;
  if (pixelsFlag !== undefined && pixelsFlag !== 'tiles' && pixelsFlag !== 'video') {
    throw new UsageError('cli.arg.pixels', { value: JSON.stringify(pixelsFlag) });
  }
  const pixels: PixelPath = pixelsFlag ?? 'tiles';
  if (command === 'run') return { command, window: !flags.has('--no-window'), pixels };
  if (command === 'status') return { command };

  const allowHttp = flags.has('--allow-http');
  const rawServer = (flags.get('--server') as string | undefined) ?? env['REMOTE_HELP_SERVER'] ?? null;
  const server = rawServer === null ? (defaults.server ?? null) : normalizeServerUrl(rawServer, allowHttp);
  if (command === 'enroll') {
    if (server === null) throw new UsageError('cli.arg.serverMissing');
    const token = (flags.get('--token') as string | undefined) ?? defaults.enrollmentToken;
    if (token === undefined) throw new UsageError('cli.arg.tokenMissing');
    if (!/^[\w.~-]{8,256}$/.test(token)) throw new UsageError('cli.arg.tokenInvalid');
    return { command, server, token };
  }
  if (command === 'share') {
    const display = (flags.get('--display') as string | undefined) ?? null;
    if (display !== null && !/^[\w.:-]{1,64}$/.test(display))
      throw new UsageError('cli.arg.displayInvalid', { display });
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
    throw new UsageError('cli.arg.urlInvalid', { url: JSON.stringify(raw) });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError('cli.arg.urlScheme', { url: raw });
  }
  if (url.username || url.password) throw new UsageError('cli.arg.urlCredentials');
  if (url.search || url.hash) throw new UsageError('cli.arg.urlQuery');
  if (url.pathname !== '/') throw new UsageError('cli.arg.urlPath');
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new UsageError('cli.arg.plainHttp', { host: url.host });
  }
  return url.origin;
}
