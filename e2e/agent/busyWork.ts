/**
 * The bench's busy workload through the product: the bench's own X client (`bench/src/xworker.ts`)
 * draws 20 random rectangles every 33 ms on the agent's display, and the agent process's CPU is
 * read from /proc (utime + stime of the process, its threads included, its children not).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const CLK_TCK = 100;

/** CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The bench's X worker on `display`, its desktop set up at `width`×`height`. */
export async function startBusyPainter(display: string, width = 1280, height = 720) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/src/xworker.ts'], {
    env: { ...process.env, DISPLAY: display },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<string, (reply: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: string } & Record<string, unknown>;
    waiting.get(reply.id)?.(reply);
  });
  let n = 0;
  const call = (cmd: string, args: Record<string, unknown> = {}) => {
    const id = String(++n);
    child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.set(id, resolve);
      child.once('exit', () => reject(new Error(`the X worker exited during ${cmd}`)));
    });
  };
  await call('setup', { width, height });
  return {
    /** Draws the busy workload for `ms`, then clears the desktop. */
    busy: (ms: number) => call('busy', { durationMs: ms, periodMs: 33, rects: 20 }),
    stop: () => void child.kill('SIGTERM'),
  };
}
