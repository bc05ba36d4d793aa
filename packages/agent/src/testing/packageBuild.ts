/**
 * @module testing/packageBuild
 * For the package tests: the agent package `npm run package` made, reused when it is newer than
 * every source that goes into it, else built afresh (`--fast`: gzip instead of xz) into a
 * temporary folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './serverProcess.js';

/** Everything a package is made from. */
const SOURCES = [
  'packages/agent/src',
  'packages/agent/static',
  'packages/agent/package.json',
  'packages/protocol/src',
  'packaging',
  'scripts/package.mjs',
  'package-lock.json',
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** The agent's version (packages/agent/package.json). */
export function agentVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/agent/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * A package file of `target` (e.g. linux-x64) named `file`: the fresh one in dist/packages, or a new
 * build (asynchronous: a build takes minutes and the test worker must keep answering meanwhile).
 */
export async function freshPackage(
  target: string,
  file: string,
): Promise<{ path: string; built: boolean; remove: () => void }> {
  const existing = join(REPO_ROOT, 'dist/packages', file);
  const sourcesChanged = Math.max(...SOURCES.map((s) => newest(join(REPO_ROOT, s))));
  if (existsSync(existing) && statSync(existing).mtimeMs > sourcesChanged) {
    return { path: existing, built: false, remove: () => undefined };
  }
  const out = mkdtempSync(join(tmpdir(), 'rh-package-'));
  const child = spawn(process.execPath, ['scripts/package.mjs', '--target', target, '--fast', '--out', out], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`npm run package failed:\n${output}`);
  return { path: join(out, file), built: true, remove: () => rmSync(out, { recursive: true, force: true }) };
}
