/**
 * @module agentUpdates/releases
 * The signed agent releases an operator put in `AGENT_RELEASES_DIR` (default `dist/releases`):
 * each is a package `remote-help-agent-<version>-<platform>.tar.gz` and, beside it, the release
 * key's signed manifest `<package>.manifest.json` (`npm run release:sign` writes both). Publishing
 * is copying both files there; the newest version per platform and channel is what agents get.
 * The server holds no signing key and vouches for nothing: it reads the manifest's schema only to
 * index it, and agents check the signature with the key built into them (ADR 0022).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareAgentVersions,
  RELEASE_FILE,
  ReleaseManifest,
  SignedRelease,
  type ReleaseChannel,
  type ReleasePlatform,
} from '@remote-help/protocol';

/** The releases folder: `AGENT_RELEASES_DIR` (relative to the working folder), else the repository's dist/releases. */
export function agentReleasesDir(env: Record<string, string | undefined> = process.env): string {
  const configured = env['AGENT_RELEASES_DIR'];
  if (configured) return isAbsolute(configured) ? configured : resolve(configured);
  return fileURLToPath(new URL('../../../../dist/releases/', import.meta.url));
}

/** One published release: the signed manifest as published, and what it says. */
export interface PublishedRelease {
  signed: SignedRelease;
  manifest: ReleaseManifest;
}

export class ReleaseShelf {
  constructor(readonly dir: string) {}

  /**
   * Every release whose manifest parses and whose package is a regular file of the manifest's
   * size beside it. Malformed manifests are skipped (and named in `problems`), never served.
   */
  async list(problems: string[] = []): Promise<PublishedRelease[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const found: PublishedRelease[] = [];
    for (const name of names) {
      if (!name.endsWith('.manifest.json') || !RELEASE_FILE.test(name.slice(0, -'.manifest.json'.length))) continue;
      try {
        const signed = SignedRelease.parse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
        const manifest = ReleaseManifest.parse(JSON.parse(Buffer.from(signed.manifest, 'base64').toString('utf8')));
        if (`${manifest.file}.manifest.json` !== name) throw new Error('names another package');
        const stat = await lstat(join(this.dir, manifest.file)).catch(() => null);
        if (!stat?.isFile()) throw new Error('its package is missing');
        if (stat.size !== manifest.size) throw new Error('its package is not the size it says');
        found.push({ signed, manifest });
      } catch (error) {
        problems.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    return found.sort((a, b) => compareAgentVersions(b.manifest.version, a.manifest.version));
  }

  /**
   * The newest release for `platform` on `channel`. Beta devices get the newest of stable and beta
   * (a beta channel never holds a device on an older build than stable has).
   */
  async latest(platform: ReleasePlatform, channel: ReleaseChannel): Promise<PublishedRelease | null> {
    const all = await this.list();
    return (
      all.find(
        (r) => r.manifest.platform === platform && (r.manifest.channel === channel || r.manifest.channel === 'stable'),
      ) ?? null
    );
  }

  /** The package file called exactly `file` that a listed release names, else null. */
  async packagePath(file: string): Promise<{ path: string; size: number } | null> {
    if (!RELEASE_FILE.test(file)) return null;
    const release = (await this.list()).find((r) => r.manifest.file === file);
    return release ? { path: join(this.dir, file), size: release.manifest.size } : null;
  }
}
