#!/usr/bin/env node
/**
 * `npm run bench:load` — the load benchmark (bench/load/src/main.ts through tsx): simulated
 * helpers and sharers against real server processes on 127.0.0.1. Arguments pass through
 * (--quick, --sessions N, --configs sqlite,pg-redis,two-nodes, …; see bench/README.md).
 * 20,000 sockets need more than the usual 1,024 open files: the soft limit is raised to the
 * hard one for the run and its children (the shell's `ulimit -n`), never past it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The nodes run what `npm start` runs (packages/server/dist/main.js), built here when stale; the
// clients import @remote-help/protocol, which resolves to its build output as well.
execFileSync(process.execPath, [join(REPO, 'scripts', 'build.mjs'), '--if-stale'], { cwd: REPO, stdio: 'inherit' });

const main = join(REPO, 'bench', 'load', 'src', 'main.ts');
const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const command = [process.execPath, '--import', 'tsx', main, ...process.argv.slice(2)].map(quote).join(' ');
// `ulimit -n hard` may fail in a container; the run then goes on with the limit it has and reports it.
const child = spawn('sh', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${command}`], {
  cwd: REPO,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
