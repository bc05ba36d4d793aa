/**
 * @module config/paths
 * Where the agent keeps its files: the per-user configuration directory of the
 * platform (`$XDG_CONFIG_HOME/remote-help` on Linux, `~/Library/Application Support/Remote Help`
 * on macOS). `REMOTE_HELP_CONFIG_DIR` overrides it (tests, portable installs). Short-lived
 * private files (the page that hands a secret address to the browser) go to {@link runtimeDir}.
 */
import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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

/**
 * Creates `dir` and its missing parents (`mode` for each one made), one `mkdir` each. Not Node's
 * recursive `mkdir`: where `mkdir` answers ENOENT under a folder that exists (procfs, e.g.
 * `REMOTE_HELP_CONFIG_DIR=/proc/x`) its promise never settled and the agent hung. Rejects with
 * mkdir's own error for the first folder it cannot make, ENOTDIR when the nearest existing one
 * is not a folder.
 */
export async function makeFolders(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null; // up to what exists
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) {
        const error = new Error(`ENOTDIR: not a directory, mkdir '${at}'`);
        throw Object.assign(error, { code: 'ENOTDIR', syscall: 'mkdir', path: at });
      }
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const folder of missing) {
    await mkdir(folder, mode === undefined ? {} : { mode }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error; // made meanwhile by another writer: fine
    });
  }
}

/**
 * The folder for short-lived private files: `REMOTE_HELP_RUNTIME_DIR`, else on Linux
 * `$XDG_RUNTIME_DIR/remote-help` (a per-user tmpfs only its user can enter), else `run` in the
 * configuration folder. Made and checked with {@link privateFolder} before use.
 */
export function runtimeDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['REMOTE_HELP_RUNTIME_DIR'];
  if (override) return override;
  const xdg = env['XDG_RUNTIME_DIR'];
  if (platform !== 'darwin' && xdg && xdg.startsWith('/')) return join(xdg, 'remote-help');
  return join(configDir(env, platform, home), 'run');
}

/**
 * Makes `dir` (and its missing parents) 0700 and checks it is a real folder of this user that
 * no one else may enter: a symbolic link, another owner or a folder others can open is refused
 * (EACCES); one of this user's with a looser mode is narrowed to 0700.
 */
export async function privateFolder(dir: string): Promise<void> {
  await makeFolders(dir, 0o700);
  const found = await lstat(dir);
  const uid = process.getuid?.();
  const refuse = (why: string): never => {
    const error = new Error(`EACCES: ${why}, '${dir}'`);
    throw Object.assign(error, { code: 'EACCES', path: dir });
  };
  if (!found.isDirectory()) refuse('not a folder (a symbolic link?)');
  if (uid !== undefined && found.uid !== uid) refuse('the folder belongs to another user');
  if ((found.mode & 0o077) !== 0) await chmod(dir, 0o700);
}
