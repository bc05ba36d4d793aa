// A vitest reporter for the gate: names a test file that stops making progress, and ends it.
//
// A test's own timeout cannot fire while its worker's event loop is stuck (a blocking call, a
// native module that never returns), and vitest then waits for that worker forever: CI would
// only say "timeout" after 90 minutes, naming nothing. This reporter watches every running file
// from the main process, and with no file running the last one's worker (vitest waits for its
// teardown before the next file, with no limit). A file with no test starting or ending for
// WARN_AFTER_MS is named on stderr with the test it is in, once a minute; after KILL_AFTER_MS its
// worker is killed (its pid, state and wchan logged first), or vitest itself exits when no worker
// of it is alive, which ends the run at once with that file named, so the gate reports a failure
// instead of hanging. The worker's process id comes from ./vitest-watchdog-setup.mjs (a setup file).
//
// With RH_VITEST_PROGRESS set, it also writes there, after each file, the run's files and the
// results of those that ended, and the file it killed: scripts/test.mjs then runs the files that
// did not end once more and counts both runs.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const WARN_AFTER_MS = Number(process.env.RH_WATCHDOG_WARN_MS ?? 180_000);
const KILL_AFTER_MS = Number(process.env.RH_WATCHDOG_KILL_MS ?? 480_000);
const PROGRESS = process.env.RH_VITEST_PROGRESS;
const CHECK_EVERY_MS = Math.min(30_000, Math.max(1_000, Math.floor(WARN_AFTER_MS / 4)));

/** Whether process `pid` exists. */
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `pid state wchan`, for the log before a kill: R (a loop spinning), S (waiting: wchan says on
 * what, e.g. ep_poll), D (blocked in the kernel).
 */
const describe = (pid) => {
  const read = (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const state = read(`/proc/${pid}/stat`).split(') ')[1]?.split(' ')[0] ?? '?';
  return `${pid} ${state} ${read(`/proc/${pid}/wchan`) || '-'}`;
};

/** Where workers note which file they run: one file per worker process, named by its pid. */
export const watchdogDir = (mainPid) => join(tmpdir(), `rh-vitest-watchdog-${mainPid}`);

export default class Watchdog {
  /** moduleId → { started, last, test, warned } */
  #running = new Map();
  #timer;
  #root = process.cwd();
  /** What RH_VITEST_PROGRESS receives: every file of the run, the ended ones' results, the killed one. */
  #progress = { files: [], ended: [], hung: null };
  /**
   * The file that ended last, while no other runs: its worker must still finish (vitest's teardown
   * of it) before the next file starts, and a worker stuck there stops the whole run with that file
   * reported as passed (what CI showed: the last line a passed file, then nothing for an hour).
   */
  #lastEnded = null;
  #runEnded = false;

  onInit(ctx) {
    this.#root = ctx.config?.root ?? this.#root;
    this.#timer = setInterval(() => this.#check(), CHECK_EVERY_MS);
    this.#timer.unref();
  }

  onTestRunStart(specifications) {
    this.#progress.files = [...new Set(specifications.map((s) => s.moduleId))];
    this.#save();
  }

  onTestModuleStart(module) {
    const now = Date.now();
    this.#running.set(module.moduleId, { started: now, last: now, test: '(collecting, hooks)', warned: 0 });
  }

  onTestCaseReady(test) {
    this.#touch(test.module.moduleId, test.fullName);
  }

  onTestCaseResult(test) {
    this.#touch(test.module.moduleId, `(after) ${test.fullName}`);
  }

  onTestModuleEnd(module) {
    this.#running.delete(module.moduleId);
    const now = Date.now();
    this.#lastEnded = {
      moduleId: module.moduleId,
      started: now,
      last: now,
      test: '(its worker, after its tests)',
      warned: 0,
    };
    if (!PROGRESS) return;
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const failures = [];
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') {
        counts.failed++;
        failures.push({ name: test.fullName, message: String(test.result().errors?.[0]?.message ?? '') });
      } else counts.skipped++;
    }
    const errors = module.errors().map((e) => String(e.message ?? e));
    this.#progress.ended.push({ file: module.moduleId, ...counts, failures, errors });
    this.#save();
  }

  #save() {
    if (PROGRESS) writeFileSync(PROGRESS, JSON.stringify(this.#progress));
  }

  onTestRunEnd() {
    this.#runEnded = true;
    clearInterval(this.#timer);
    rmSync(watchdogDir(process.pid), { recursive: true, force: true });
  }

  #touch(moduleId, test) {
    const entry = this.#running.get(moduleId);
    if (entry) Object.assign(entry, { last: Date.now(), test });
  }

  #check() {
    const now = Date.now();
    const watched = [...this.#running];
    if (watched.length === 0 && this.#lastEnded && !this.#runEnded)
      watched.push([this.#lastEnded.moduleId, this.#lastEnded]);
    for (const [moduleId, entry] of watched) {
      const quiet = now - entry.last;
      if (quiet < WARN_AFTER_MS) continue;
      const file = relative(this.#root, moduleId);
      if (quiet >= KILL_AFTER_MS) {
        const pids = this.#workersRunning(moduleId).filter(alive);
        // Noted first: the run may end as soon as the worker dies.
        this.#progress.hung = moduleId;
        this.#save();
        process.stderr.write(
          `\n[watchdog] ${file}: no progress for ${Math.round(quiet / 1000)} s in ${entry.test}; ` +
            (pids.length
              ? `killing its worker (${pids.map(describe).join('; ')}): the run stops here\n`
              : 'no worker of it is alive (vitest is waiting for a worker that never started): ending vitest\n'),
        );
        // No live worker: vitest's pool itself is stuck, and only ending vitest ends the wait.
        if (pids.length === 0) process.exit(1);
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        this.#running.delete(moduleId);
        if (entry === this.#lastEnded) this.#lastEnded = null;
        continue;
      }
      if (now - entry.warned < 60_000) continue;
      entry.warned = now;
      process.stderr.write(
        `\n[watchdog] ${file}: no progress for ${Math.round(quiet / 1000)} s ` +
          `(running ${Math.round((now - entry.started) / 1000)} s), in ${entry.test}\n`,
      );
    }
  }

  /** Worker processes whose note names `moduleId`. */
  #workersRunning(moduleId) {
    const dir = watchdogDir(process.pid);
    const pids = [];
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      return pids;
    }
    for (const name of names) {
      try {
        if (readFileSync(join(dir, name), 'utf8') === moduleId) pids.push(Number(name));
      } catch {
        // the worker moved on
      }
    }
    return pids;
  }
}
