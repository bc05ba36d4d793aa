/**
 * The tile sender's own cost on the bench's "busy" screen, without capture or WebRTC: 20
 * random 100×100 rectangles of random colours repainted per frame on a 1280×720 screen,
 * 600 frames pushed into a `TileSender` whose channel takes everything. Prints the encode
 * time per frame (what `tileEncodeMsAvg` reports in the bench), the tiles and bytes.
 * Add `--cpu-prof` to node for a profile.
 *
 *   node --import tsx packages/agent/bench/tileEncodeBench.ts
 */
import { TileSender } from '../src/rtc/tileSender.js';
import { screenBuffer } from '../src/testing/screenBuffer.js';
import type { Rect } from '../src/platform/types.js';

const FRAMES = 600;
const s = screenBuffer(1280, 720, () => 0xffffff);
const sender = new TileSender(
  { readyState: 'open', bufferedAmount: 0, send: () => undefined },
  { maxInFlight: Number.MAX_SAFE_INTEGER, maxInFlightBytes: Number.MAX_SAFE_INTEGER },
);
let seed = 5;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
sender.pushFrame(s.frame());
let encodeMs = 0;
for (let f = 0; f < FRAMES; f++) {
  const rects: Rect[] = [];
  for (let i = 0; i < 20; i++) {
    const r = { x: Math.floor(random() * 1180), y: Math.floor(random() * 620), width: 100, height: 100 };
    const colour = Math.floor(random() * 0xffffff);
    s.repaint(() => colour, r);
    rects.push(r);
  }
  const t0 = performance.now();
  sender.pushFrame(s.frame(rects));
  encodeMs += performance.now() - t0;
}
const stats = sender.stats();
process.stdout.write(
  `${FRAMES} busy frames: ${(encodeMs / FRAMES).toFixed(2)} ms each; tiles ${JSON.stringify(stats.tiles)}; ` +
    `${(stats.bytes / FRAMES).toFixed(0)} bytes each\n`,
);
sender.close();
