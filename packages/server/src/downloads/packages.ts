/**
 * @module downloads/packages
 * The agent packages an administrator put in `AGENT_PACKAGES_DIR` (default `dist/packages`, where
 * `npm run package` writes them): name, platform, version, size and SHA-256. Only regular files
 * whose names `npm run package` makes are listed, and only those can be served: a request names a
 * file of this list, never a path.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `remote-help-agent_<version>_<platform>.<ext>`, as scripts/package.mjs names them. */
const PACKAGE_NAME =
  /^remote-help-agent_(\d+\.\d+\.\d+(?:[-+~][0-9A-Za-z.~+-]+)?)_(amd64|arm64|macos-arm64|macos-x64)\.(deb|zip|pkg)$/;

/** What each kind of file is, for people and for browsers. */
const PLATFORMS: Record<string, string> = {
  amd64: 'Linux x64 (Debian, Ubuntu)',
  arm64: 'Linux Arm64 (Debian, Ubuntu)',
  'macos-arm64': 'macOS (Apple silicon)',
  'macos-x64': 'macOS (Intel)',
};
export const CONTENT_TYPES: Record<string, string> = {
  deb: 'application/vnd.debian.binary-package',
  zip: 'application/zip',
  pkg: 'application/octet-stream',
};

/** One package as the download page and `/download/packages.json` show it. */
export interface AgentPackage {
  file: string;
  version: string;
  platform: string;
  kind: 'deb' | 'zip' | 'pkg';
  size: number;
  sha256: string;
  modifiedAt: string;
}

/** The packages folder: `AGENT_PACKAGES_DIR` (relative to the working folder), else the repository's dist/packages. */
export function agentPackagesDir(env: Record<string, string | undefined> = process.env): string {
  const configured = env['AGENT_PACKAGES_DIR'];
  if (configured) return isAbsolute(configured) ? configured : resolve(configured);
  return fileURLToPath(new URL('../../../../dist/packages/', import.meta.url));
}

function sha256Of(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex')));
  });
}

/** Lists the folder's packages, newest version first; hashes are computed once per file version. */
export class PackageShelf {
  readonly #hashes = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** The packages now in the folder (an absent folder is an empty list). */
  async list(): Promise<AgentPackage[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const found: AgentPackage[] = [];
    for (const file of names) {
      const item = await this.find(file);
      if (item) found.push(item);
    }
    return found.sort(
      (a, b) =>
        b.version.localeCompare(a.version, 'en', { numeric: true }) || a.platform.localeCompare(b.platform, 'en'),
    );
  }

  /** The package called exactly `file`, or null: any other name (paths, dot files, other files) is not one. */
  async find(file: string): Promise<AgentPackage | null> {
    const match = PACKAGE_NAME.exec(file);
    if (!match) return null;
    const path = join(this.dir, file);
    const stat = await lstat(path).catch(() => null);
    // Regular files only: a symbolic link could point anywhere.
    if (!stat?.isFile()) return null;
    const key = `${file}:${stat.size}:${stat.mtimeMs}`;
    let sha256 = this.#hashes.get(key);
    if (!sha256) {
      sha256 = await sha256Of(path);
      this.#hashes.set(key, sha256);
    }
    const [, version, platform, kind] = match as unknown as [string, string, string, AgentPackage['kind']];
    return {
      file,
      version,
      platform: PLATFORMS[platform] ?? platform,
      kind,
      size: stat.size,
      sha256,
      modifiedAt: stat.mtime.toISOString(),
    };
  }

  /** The file's absolute path, for a package `find` returned. */
  pathOf(item: AgentPackage): string {
    return join(this.dir, item.file);
  }
}
