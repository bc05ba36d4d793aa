/** Pure analysis of the recorded timestamps (all in ms on the bench clock, see proc.ts nowMs). */

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Nearest-rank percentile. */
export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function summarize(xs: number[]): Summary {
  if (xs.length === 0) return { n: 0, p50: NaN, p95: NaN, min: NaN, max: NaN, mean: NaN };
  return {
    n: xs.length,
    p50: r1(percentile(xs, 0.5)),
    p95: r1(percentile(xs, 0.95)),
    min: r1(Math.min(...xs)),
    max: r1(Math.max(...xs)),
    mean: r1(xs.reduce((a, b) => a + b, 0) / xs.length),
  };
}

export interface Flip {
  seq: number;
  t: number;
}

export interface SeenEvent {
  /** bench clock ms */
  t: number;
  /** flip number mod 256 as read from the cells */
  seq: number;
  meta?: Record<string, number>;
}

export interface FlipResult {
  flips: number;
  seen: number;
  /** flips never shown (nor anything newer) before the end */
  missed: number;
  /** flips that were overtaken (the viewer jumped from older to newer content) */
  coalesced: number;
  g2g: Summary;
  latencies: number[];
  /** Longest interval without a viewer update (a new flip number) while flips were happening. */
  longestFreezeMs: number;
  /** Per flip: index of the viewer event that first showed it (or -1). */
  shownBy: number[];
}

/** Page-to-bench clock mapping error allowed when deciding that a reading came before its flip. */
const CLOCK_TOLERANCE_MS = 2;

/** Matches viewer observations to flips. A flip counts as shown when the viewer shows it or any later flip. */
export function analyzeFlips(flips: Flip[], events: SeenEvent[]): FlipResult {
  const first = flips[0];
  if (!first) throw new Error('no flips');
  let prev = first.seq - 1;
  const unwrapped: { t: number; seq: number; index: number }[] = [];
  let issued = 0; // flips issued before the observation (index into flips)
  events.forEach((e, index) => {
    const d = (e.seq - (prev & 255) + 256) & 255;
    if (d === 0 || d > 128) return; // same content, or a misread
    while (issued < flips.length && flips[issued]!.t <= e.t + CLOCK_TOLERANCE_MS) issued++;
    const latest = flips[issued - 1]?.seq ?? first.seq - 1;
    // A number from the future is a torn read (cells from two updates): ignore it.
    if (prev + d > latest) return;
    prev += d;
    unwrapped.push({ t: e.t, seq: prev, index });
  });
  const latencies: number[] = [];
  const shownBy: number[] = [];
  let missed = 0;
  let coalesced = 0;
  let j = 0;
  for (const f of flips) {
    while (j < unwrapped.length && unwrapped[j]!.seq < f.seq) j++;
    const e = unwrapped[j];
    if (!e) {
      missed++;
      shownBy.push(-1);
      continue;
    }
    if (e.seq > f.seq) coalesced++;
    latencies.push(e.t - f.t);
    shownBy.push(e.index);
  }
  // Freeze: gaps between successive viewer updates, from the first flip to the last update.
  let longest = 0;
  let last = first.t;
  for (const e of unwrapped) {
    longest = Math.max(longest, e.t - last);
    last = e.t;
  }
  return {
    flips: flips.length,
    seen: unwrapped.length,
    missed,
    coalesced,
    g2g: summarize(latencies),
    latencies: latencies.map(r1),
    longestFreezeMs: r1(longest),
    shownBy,
  };
}

/** One-way input latency: each viewer-side move matched to the MotionNotify at the same spot. */
export function analyzeMoves(
  sent: { t: number; x: number; y: number }[],
  received: { t: number; x: number; y: number }[],
): { matched: number; sent: number; latency: Summary } {
  const lat: number[] = [];
  let j = 0;
  for (const s of sent) {
    let k = j;
    while (k < received.length && !(Math.abs(received[k]!.x - s.x) <= 1 && Math.abs(received[k]!.y - s.y) <= 1)) k++;
    if (k < received.length && received[k]!.t > s.t - 5) {
      lat.push(received[k]!.t - s.t);
      j = k + 1;
    }
  }
  return { matched: lat.length, sent: sent.length, latency: summarize(lat) };
}

/** Each click (page time) → the first viewer change of the click window after it. */
export function analyzeClicks(
  downs: number[],
  changes: number[],
  presses: number[],
): { clicks: number; shown: number; clickToPhoton: Summary; pressOneWay: Summary } {
  const c2p: number[] = [];
  const oneWay: number[] = [];
  for (let i = 0; i < downs.length; i++) {
    const t = downs[i]!;
    const next = downs[i + 1] ?? Infinity;
    const change = changes.find((c) => c > t && c < next);
    if (change !== undefined) c2p.push(change - t);
    const press = presses.find((p) => p > t - 5 && p < next);
    if (press !== undefined) oneWay.push(press - t);
  }
  return { clicks: downs.length, shown: c2p.length, clickToPhoton: summarize(c2p), pressOneWay: summarize(oneWay) };
}

export { r1 };
