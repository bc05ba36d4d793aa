/**
 * Capture cost on Xvfb: full-screen GetImage (core and MIT-SHM), a small damaged
 * rectangle, frame differencing, and the RGBA/I420 conversion before the encoder,
 * at 1280x720 and 1920x1080.
 *
 *   npx tsx packages/agent/bench/captureBench.ts
 */
import { diffFrames } from '../src/capture/frameDiff.js';
import { createPixelReader } from '../src/platform/linux/pixelReader.js';
import { closeX11, connectX11 } from '../src/platform/linux/x11.js';
import type { ScreenFrame } from '../src/platform/types.js';
import { createRgbaImage, updateRgba } from '../src/rtc/frameConvert.js';
import { loadWrtc } from '../src/rtc/wrtc.js';
import { hasCommand, startXvfb } from '../src/testing/xvfb.js';

const RUNS = 40;

function stats(samples: number[]): { median: number; p95: number; min: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: round(at(0.5)), p95: round(at(0.95)), min: round(sorted[0] ?? NaN) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function time(fn: () => Promise<void> | void, runs = RUNS): Promise<ReturnType<typeof stats>> {
  for (let i = 0; i < 3; i++) await fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return stats(samples);
}

async function benchSize(width: number, height: number): Promise<Record<string, unknown>> {
  const xvfb = await startXvfb(`${width}x${height}x24`);
  const x = await connectX11(xvfb.display);
  try {
    const bytes = width * height * 4;
    const frame = new Uint8Array(bytes);
    const full = { x: 0, y: 0, width, height };
    const small = { x: 100, y: 100, width: 200, height: 100 };
    const core = await createPixelReader(x, bytes, false);
    const shm = await createPixelReader(x, bytes, true);
    const result: Record<string, unknown> = {
      size: `${width}x${height}`,
      getImageCoreFullMs: await time(() => core.read(full, frame, 0, width * 4)),
      getImageShmFullMs: await time(() => shm.read(full, frame, 0, width * 4)),
      getImageCore200x100Ms: await time(() => core.read(small, frame, 0, width * 4)),
      getImageShm200x100Ms: await time(() => shm.read(small, frame, 0, width * 4)),
      shmPath: shm.path,
    };
    core.close();
    shm.close();

    const other = frame.slice();
    result['diffIdenticalMs'] = await time(() => void diffFrames(frame, other, width, height, width * 4));
    other[(height / 2) * width * 4 + 400] = 1;
    result['diffOnePixelMs'] = await time(() => void diffFrames(frame, other, width, height, width * 4));
    other.fill(7);
    result['diffAllChangedMs'] = await time(() => void diffFrames(frame, other, width, height, width * 4));

    const screen: ScreenFrame = { width, height, data: frame, stride: width * 4, format: 'bgra', timestamp: 0 };
    const image = createRgbaImage(screen);
    result['bgraToRgbaFullMs'] = await time(() => updateRgba(image, screen));
    result['bgraToRgba200x100Ms'] = await time(() => updateRgba(image, screen, [small]));
    const wrtc = loadWrtc();
    const i420 = new Uint8Array(new ArrayBuffer((width * height * 3) / 2));
    result['rgbaToI420Ms'] = await time(() =>
      wrtc.nonstandard.rgbaToI420(image, { width: image.width, height: image.height, data: i420 }),
    );
    return result;
  } finally {
    await closeX11(x);
    await xvfb.stop();
  }
}

async function main(): Promise<void> {
  if (!hasCommand('Xvfb')) {
    process.stdout.write('Xvfb is not installed; nothing to measure\n');
    return;
  }
  const results = [await benchSize(1280, 720), await benchSize(1920, 1080)];
  process.stdout.write(`${JSON.stringify({ runs: RUNS, node: process.version, results }, null, 2)}\n`);
}

await main();
