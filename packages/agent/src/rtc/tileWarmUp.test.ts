/**
 * The tile encoder's warm-up (ADR 0027) is worth something only if V8 keeps the code it
 * compiled until the first real picture. Under Xvfb, a Node started with `--trace-deopt`
 * runs the agent's order of events around Allow (`testing/warmUpProbe.ts`): capture prepared
 * and encoder warmed while the sharer reads, then the capture's first frame through a fresh
 * sender. Nothing of the encoder may be thrown away after the capture starts: once it was, by
 * the capture's first rectangle writes and by frames of another hidden class than the
 * warm-up's, and the first 1280×720 picture took 25 ms instead of 6–8 here.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, startXvfb, type Xvfb } from '../testing/xvfb.js';

const PROBE = fileURLToPath(new URL('../testing/warmUpProbe.ts', import.meta.url));
/** The encoder's functions: `encodeTile` (protocol) and the sender's private methods on its path. */
const ENCODER = /<(?:JSFunction|SharedFunctionInfo) (encodeTile|#\w+)[ >]/;

describe.skipIf(!hasCommand('Xvfb'))('tile encoder warm-up under Xvfb', { timeout: 60_000 }, () => {
  let xvfb: Xvfb;
  beforeAll(async () => {
    xvfb = await startXvfb('1280x720x24');
  });
  afterAll(async () => {
    await xvfb?.stop();
  });

  it('keeps the compiled encoder through the capture start and the first real picture', () => {
    const run = spawnSync(
      process.execPath,
      ['--allow-natives-syntax', '--trace-deopt', '--no-concurrent-recompilation', '--import', 'tsx', PROBE],
      { env: { ...process.env, DISPLAY: xvfb.display }, encoding: 'utf8', timeout: 45_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const steps = lines
      .filter((l) => l.startsWith('PROBE '))
      .map((l) => JSON.parse(l.slice('PROBE '.length)) as { step: string; optimized: boolean });
    // Optimized after the warm-up: so that a deoptimization below would show.
    expect(steps).toEqual([
      { step: 'warmed', optimized: true },
      { step: 'captured', optimized: true },
      { step: 'encoded', optimized: true },
    ]);
    const after = lines.slice(lines.indexOf('PROBE-MARK'));
    const thrownAway = after.filter((l) => /deoptimiz/.test(l) && ENCODER.test(l));
    expect(thrownAway).toEqual([]);
  });
});
