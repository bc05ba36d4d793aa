// The gate's watchdog (vitest-watchdog.mjs) against real vitest runs of a scratch project: a test
// file whose worker blocks during its test, and one whose worker blocks after its last test (vitest
// then waits for it forever before the next file: what once hung CI). Each is named, its worker
// killed, and the progress file says which files ended (with their results) and which one hung.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const here = new URL('.', import.meta.url).pathname;
const vitestBin = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const dirs = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A scratch project: one worker, files run largest first (so `ok` files pad to run before). */
function project(files) {
  const dir = mkdtempSync(join(tmpdir(), 'rh-watchdog-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    `export default { test: { include: ['*.test.mjs'], pool: 'forks', maxWorkers: 1, minWorkers: 1,
      setupFiles: [${JSON.stringify(join(here, 'vitest-watchdog-setup.mjs'))}] } };\n`,
  );
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

/** Runs vitest on `dir` with the watchdog at short limits; its exit code, output and progress file. */
function run(dir) {
  const progressFile = join(dir, 'progress.json');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [vitestBin, 'run', '--root', dir, '--reporter=default', `--reporter=${join(here, 'vitest-watchdog.mjs')}`],
      {
        env: {
          ...process.env,
          RH_VITEST_WATCHDOG: '1',
          RH_VITEST_PROGRESS: progressFile,
          RH_WATCHDOG_WARN_MS: '2000',
          RH_WATCHDOG_KILL_MS: '5000',
        },
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, progress: JSON.parse(readFileSync(progressFile, 'utf8')) });
    });
  });
}

const OK = (name) =>
  `import { it, expect } from 'vitest';\nit('${name}', () => expect(1).toBe(1));\n// ${'x'.repeat(2000)}\n`;
/**
 * Blocks its worker's event loop for `seconds`: inside its test (`during`), or once vitest asks the
 * worker to tear down after the file (`after`: the file has passed and been reported by then);
 * `hidden`: as `after`, and its worker's note names a process that does not exist, as when the
 * worker vitest waits for never started.
 */
const BLOCKS = (when, seconds = 60) =>
  `import { renameSync } from 'node:fs';\nimport { tmpdir } from 'node:os';\nimport { join } from 'node:path';\n` +
  `import { it } from 'vitest';\nconst block = () => { const end = Date.now() + ${seconds}_000; while (Date.now() < end); };\n` +
  (when === 'during'
    ? `it('blocks', () => block());\n`
    : `it('passes, then its worker blocks', () => {\n` +
      (when === 'hidden'
        ? `  const dir = join(tmpdir(), 'rh-vitest-watchdog-' + process.ppid);\n` +
          `  renameSync(join(dir, String(process.pid)), join(dir, '4194300'));\n`
        : '') +
      `  process.prependListener('message', (m) => { if (m && m.name === 'teardown') block(); });\n});\n`);
const AFTER = `import { it, expect } from 'vitest';\nit('runs last', () => expect(1).toBe(1));\n`;

describe('the gate watchdog', { timeout: 60_000 }, () => {
  it('names and kills a worker stuck inside a test; the files before it ended and count', async () => {
    const dir = project({ 'a.test.mjs': OK('first'), 'b.test.mjs': BLOCKS('during'), 'c.test.mjs': AFTER });
    const { code, output, progress } = await run(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/\[watchdog\] b\.test\.mjs: no progress for \d+ s.*killing its worker \(\d+ /s);
    expect(progress.hung).toBe(join(dir, 'b.test.mjs'));
    expect(progress.files.sort()).toEqual(['a', 'b', 'c'].map((f) => join(dir, `${f}.test.mjs`)));
    expect(progress.ended).toEqual([expect.objectContaining({ file: join(dir, 'a.test.mjs'), passed: 1, failed: 0 })]);
  });

  it('ends vitest itself when the worker it waits for is not alive', async () => {
    const dir = project({ 'a.test.mjs': OK('first'), 'b.test.mjs': BLOCKS('hidden', 8), 'c.test.mjs': AFTER });
    const { code, output, progress } = await run(dir);
    expect(code).toBe(1);
    expect(output).toMatch(/\[watchdog\] b\.test\.mjs: .*no worker of it is alive.*ending vitest/s);
    expect(progress.hung).toBe(join(dir, 'b.test.mjs'));
    expect(progress.ended.map((e) => e.file)).toEqual([join(dir, 'a.test.mjs'), join(dir, 'b.test.mjs')]);
  });

  it('names and kills a worker stuck after its last test, which vitest would wait for forever', async () => {
    const dir = project({ 'a.test.mjs': OK('first'), 'b.test.mjs': BLOCKS('after'), 'c.test.mjs': AFTER });
    const { code, output, progress } = await run(dir);
    expect(code).not.toBe(0);
    expect(output).toMatch(/\[watchdog\] b\.test\.mjs: no progress .*after its tests.*killing its worker \(\d+ R /s);
    expect(progress.hung).toBe(join(dir, 'b.test.mjs'));
    // b passed before its worker stuck: it ended and counts; c never ran (the gate runs it again).
    expect(progress.ended.map((e) => [e.file, e.passed])).toEqual([
      [join(dir, 'a.test.mjs'), 1],
      [join(dir, 'b.test.mjs'), 1],
    ]);
  });
});
