/**
 * Run by `rtc/tileWarmUp.test.ts` in a Node started with `--allow-natives-syntax --trace-deopt`:
 * the agent's order of events around Allow on a real X server (`DISPLAY`): the capture is
 * prepared and the tile encoder warmed up while the sharer reads, then the capture starts and its
 * first frame goes through a fresh sender. Prints `PROBE {json}` lines between V8's trace lines,
 * and `PROBE-MARK` before the capture starts: what V8 throws away after it is the work the
 * warm-up was for.
 */
import { encodeTile } from '@remote-help/protocol';
import { X11ScreenSource } from '../platform/linux/x11ScreenSource.js';
import type { ScreenFrame } from '../platform/types.js';
import { TileSender, warmUpTileEncoder } from '../rtc/tileSender.js';

// `%GetOptimizationStatus` is V8's own syntax (allowed by the flag), not TypeScript's.
const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
/** V8's `OptimizationStatus::kOptimized`. */
const OPTIMIZED = 1 << 4;
const report = (step: string): void => {
  process.stdout.write(`PROBE ${JSON.stringify({ step, optimized: (status(encodeTile) & OPTIMIZED) !== 0 })}\n`);
};

const source = await X11ScreenSource.open({ display: process.env['DISPLAY'] });
try {
  const display = (await source.listDisplays())[0];
  if (!display) throw new Error('no display');
  await source.prepare(display.id);
  warmUpTileEncoder();
  report('warmed');
  process.stdout.write('PROBE-MARK\n');
  const first = await new Promise<ScreenFrame>((resolve) => {
    void source.start(display.id, resolve);
  });
  report('captured');
  const sender = new TileSender({ readyState: 'open', bufferedAmount: 0, send: () => undefined });
  sender.reserve(first.width, first.height);
  sender.pushFrame({ ...first, changed: undefined });
  report('encoded');
} finally {
  await source.close();
}
