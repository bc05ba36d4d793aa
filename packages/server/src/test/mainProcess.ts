/**
 * @module test/mainProcess
 * The real `main.ts` as a child process (through tsx), for the tests that need a whole
 * process: signals, exit codes, a node killed mid-session. It resolves once the server says
 * it runs. A clean clone has no tsx cache yet: the first start transpiles the whole server
 * (~300 modules), which took more than 30 s on a CI runner busy with the other test files;
 * the bound is {@link MAIN_START_TIMEOUT_MS}, and tests that start main allow for it.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long main may take to say it runs. */
export const MAIN_START_TIMEOUT_MS = 120_000;

/** A running `main.ts`. */
export interface MainProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** The exit code (null: killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/**
 * Starts `main.ts` with `env` on top of this process' environment; resolves once its output (either
 * stream) has `ready` (the banner by default); rejects if it exits or stays silent.
 */
export async function startMain(
  env: Record<string, string>,
  name = 'main',
  ready = 'Remote Help is running',
): Promise<MainProcess> {
  const main = fileURLToPath(new URL('../main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      ...process.env,
      ...env,
      TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../../tsconfig.test.json', import.meta.url)),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  let isReady: () => void = () => undefined;
  child.stderr.on('data', (chunk: Buffer) => {
    output += String(chunk);
    if (output.includes(ready)) isReady();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // nothing left behind by a test that gives up
      reject(new Error(`${name} did not start in ${MAIN_START_TIMEOUT_MS / 1000} s: ${output}`));
    }, MAIN_START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) while starting: ${output}`));
    });
    isReady = () => {
      clearTimeout(timer);
      resolve(); // a later exit's reject changes nothing: the promise is settled
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes(ready)) isReady();
    });
  });
  return { child, exited, output: () => output };
}
