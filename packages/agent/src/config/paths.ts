/**
 * @module config/paths
 * Where the agent keeps its files: the per-user configuration directory of the
 * platform (`$XDG_CONFIG_HOME/remote-help` on Linux, `~/Library/Application Support/Remote Help`
 * on macOS). `REMOTE_HELP_CONFIG_DIR` overrides it (tests, portable installs).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The directory for the agent's configuration and tokens. */
export function configDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['REMOTE_HELP_CONFIG_DIR'];
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Remote Help');
  const xdg = env['XDG_CONFIG_HOME'];
  // XDG: a relative path is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.config');
  return join(base, 'remote-help');
}
