/**
 * @module update/layout
 * Where updates live (ADR 0022). The package manager owns the installed tree (`/usr/lib/remote-help-agent`,
 * root's), and the agent runs as its user, so updates go to the user's data folder:
 *
 *     $XDG_DATA_HOME/remote-help/agent/        (~/.local/share/…; REMOTE_HELP_UPDATE_DIR overrides)
 *       versions/<version>/                   an unpacked, verified tree (node, dist/cli.mjs, …)
 *       current -> versions/<version>         the tree the launcher runs (absent: the packaged one)
 *       installed-over                        the packaged version `current` was installed over
 *       state.json                            versions that failed their trial (never retried)
 *       downloads/                            partial downloads
 *
 * The launcher (`packaging/linux/remote-help-agent`) runs `current` only while the packaged tree
 * is still the one it was installed over: an upgrade of the package itself wins. Switching is
 * one `rename` of a symbolic link over `current`, atomic on POSIX file systems.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseManifest } from '@remote-help/protocol';
import { z } from 'zod';
import { UpdateRefused } from './verify.js';
import { makeFolders } from '../config/paths.js';

/** The update folder on this platform. */
export function updateDir(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env['REMOTE_HELP_UPDATE_DIR'];
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Remote Help', 'agent');
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), 'remote-help', 'agent');
}

const State = z.object({ failed: z.record(z.string(), z.string()).default({}) });
type State = z.infer<typeof State>;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${command} exited ${code}: ${stderr.trim()}`)),
    );
  });
}

export class UpdateLayout {
  constructor(readonly dir: string) {}

  get downloads(): string {
    return join(this.dir, 'downloads');
  }

  versionDir(version: string): string {
    return join(this.dir, 'versions', version);
  }

  /** The tree `current` points at, or null (the packaged tree runs). */
  async current(): Promise<string | null> {
    return readlink(join(this.dir, 'current')).catch(() => null);
  }

  /** Unpacks a verified package into versions/<version> (via a temporary folder, renamed when complete). */
  async unpack(packagePath: string, manifest: ReleaseManifest): Promise<string> {
    const target = this.versionDir(manifest.version);
    const partial = `${target}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await makeFolders(partial);
    try {
      await run('tar', ['-xzf', packagePath, '-C', partial, '--no-same-owner', '--no-same-permissions']);
      const pkg = JSON.parse(await readFile(join(partial, 'package.json'), 'utf8')) as { version?: unknown };
      if (pkg.version !== manifest.version)
        throw new Error(`it holds version ${String(pkg.version)}, the manifest says ${manifest.version}`);
      for (const file of ['node', 'dist/cli.mjs'])
        if (!existsSync(join(partial, file))) throw new Error(`${file} is missing`);
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
      return target;
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw new UpdateRefused('bad_package', `the package cannot be installed: ${(error as Error).message}`);
    }
  }

  /** Points `current` at `target` (null: back to the packaged tree) in one rename. */
  async activate(target: string | null, installedOver: string): Promise<void> {
    const link = join(this.dir, 'current');
    if (target === null) {
      await rm(link, { force: true });
      return;
    }
    await writeFile(join(this.dir, 'installed-over'), `${installedOver}\n`);
    const next = `${link}.next-${process.pid}`;
    await rm(next, { force: true });
    await symlink(target, next);
    await rename(next, link);
  }

  async state(): Promise<State> {
    try {
      return State.parse(JSON.parse(await readFile(join(this.dir, 'state.json'), 'utf8')));
    } catch {
      return { failed: {} };
    }
  }

  /** Remembers that `version` failed its trial, so it is not installed again. */
  async markFailed(version: string, reason: string): Promise<void> {
    const state = await this.state();
    state.failed[version] = reason;
    await makeFolders(this.dir);
    await writeFile(join(this.dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  }

  /** The file a new version on trial writes once it has checked in. */
  healthFile(version: string): string {
    return join(this.dir, `trial-${version}.ok`);
  }
}
