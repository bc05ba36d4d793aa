/**
 * @module config/installConfig
 * The configuration an administrator drops at install time (MDM, line-of-business deployment,
 * configuration management): the Remote Help server and, optionally, an enrollment token, so the
 * agent needs no `--server` and enrolls the device by itself on first run.
 *
 * - Linux: `/etc/remote-help/agent.json`
 * - macOS: `/Library/Application Support/Remote Help/agent.json`
 * - `REMOTE_HELP_INSTALL_CONFIG` points elsewhere (tests, portable installs).
 *
 * ```json
 * { "server": "https://help.example.com", "enrollmentToken": "rhe_…" }
 * ```
 * A missing file is no configuration; a file that is there but wrong is an error that names the
 * file and every bad field, so the administrator sees it in the agent's log at once.
 */
import { readFile } from 'node:fs/promises';
import { ReleaseChannel } from '@remote-help/protocol';
import { z } from 'zod';
import { normalizeServerUrl } from '../cliArgs.js';

/** Where the administrator's file is looked for on each platform. */
export const INSTALL_CONFIG_PATHS: Partial<Record<NodeJS.Platform, string>> = {
  linux: '/etc/remote-help/agent.json',
  darwin: '/Library/Application Support/Remote Help/agent.json',
};

/** The same shape `enroll --token` accepts. */
const TOKEN = /^[\w.~-]{8,256}$/;

/** The file's schema. Unknown keys are refused (a typo must not be silently ignored). */
export const InstallConfigFile = z.strictObject({
  /** The Remote Help server, e.g. `https://help.example.com` (https, or http to this computer). */
  server: z.string().transform((raw, ctx) => {
    try {
      return normalizeServerUrl(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
  /** An enrollment token (`POST /api/v1/enrollment-tokens` with `maxUses` for the fleet). */
  enrollmentToken: z.string().regex(TOKEN, 'is not an enrollment token: check that it was copied whole').optional(),
  /** Whether the agent updates itself (default true; each user may still turn it off, ADR 0022). */
  autoUpdate: z.boolean().optional(),
  /** The release channel: `stable` (default) or `beta`. */
  updateChannel: ReleaseChannel.optional(),
});
/** The administrator's configuration, validated: `server` is an origin. */
export type InstallConfig = z.infer<typeof InstallConfigFile> & { path: string };

/**
 * The file exists but cannot be used. The CLI prints the message (in English: it is for the
 * administrator, in the agent's log) and exits with code 2.
 */
export class InstallConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`The configuration ${path} set by your administrator cannot be used: ${problems.join('; ')}`);
    this.name = 'InstallConfigError';
  }
}

/** The path to read on this platform (null where there is none). */
export function installConfigPath(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): string | null {
  return env['REMOTE_HELP_INSTALL_CONFIG'] || (INSTALL_CONFIG_PATHS[platform] ?? null);
}

/** Parses the file's text; throws `InstallConfigError` naming every problem. */
export function parseInstallConfig(text: string, path: string): InstallConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InstallConfigError(path, [`it is not JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  const parsed = InstallConfigFile.safeParse(json);
  if (!parsed.success) {
    throw new InstallConfigError(
      path,
      parsed.error.issues.map((issue) => {
        const field = issue.path.join('.');
        if (issue.code === 'unrecognized_keys') return `unknown setting ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
        if (field === '') return 'it must be an object like {"server": "https://help.example.com"}';
        if (issue.code === 'invalid_type')
          return `"${field}" must be ${issue.expected === 'boolean' ? 'true or false' : 'a string'}`;
        return `"${field}" ${issue.message}`;
      }),
    );
  }
  return { ...parsed.data, path };
}

/** Reads the administrator's configuration: null when there is no file. */
export async function readInstallConfig(path: string | null): Promise<InstallConfig | null> {
  if (path === null) return null;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InstallConfigError(path, [
      `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    ]);
  }
  return parseInstallConfig(text, path);
}
