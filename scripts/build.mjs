#!/usr/bin/env node
// Builds protocol, server and agent (tsc -b) and the web apps (vite). With --if-stale it
// does nothing when every output is newer than every source, so `npm start` stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const ifStale = process.argv.includes('--if-stale');
const STAMP = join(root, 'packages/web/dist/.build-stamp');

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

const sources = [
  'packages/protocol',
  'packages/server',
  'packages/web',
  'packages/agent',
  'tsconfig.base.json',
  'package-lock.json',
];
if (ifStale && existsSync(STAMP) && existsSync(join(root, 'packages/server/dist/main.js'))) {
  const built = statSync(STAMP).mtimeMs;
  if (sources.every((s) => newest(join(root, s)) <= built)) process.exit(0);
}

function run(label, command, args) {
  const started = Date.now();
  process.stdout.write(`• ${label}… `);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) {
    process.stdout.write('failed\n');
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

console.log('Building Remote Help');
run('compiling protocol, server and agent', 'npx', [
  'tsc',
  '-b',
  'packages/protocol',
  'packages/server',
  'packages/agent',
]);
run('bundling the web apps', 'npx', ['vite', 'build', '--logLevel', 'warn', 'packages/web']);
writeFileSync(STAMP, new Date().toISOString());
