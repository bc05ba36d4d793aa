// Setup file for ./vitest-watchdog.mjs: each worker notes, by its process id, which test file it
// runs, so that the watchdog in the main process can end the one worker that hung.
import { mkdirSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { watchdogDir } from './vitest-watchdog.mjs';

const file = expect.getState().testPath;
if (file) {
  const dir = watchdogDir(process.ppid);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${process.pid}`, file);
}
