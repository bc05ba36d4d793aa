/**
 * @module tileWorkBudget
 * Bounds the share of the helper's main thread that the `tiles` channel may take, so that a
 * sharer's agent that floods it (a hostile one, or a broken one) cannot leave the helper's tab
 * without time to draw, run its timers or answer its heartbeats — and cannot leave it a backlog
 * of seconds to work off once the flood stops (measured in session 44: docs/security.md, N27).
 *
 * The work is a token bucket in milliseconds: it holds up to {@link BURST_MS} and refills at
 * {@link SHARE} of the time that passes (including the time the work itself takes). Each message
 * costs the time its handling took plus an estimate of the drawing it left the browser to do
 * later (a fill or a copy is drawn when the frame is, not when it is asked for:
 * {@link RASTER_MS_PER_PIXEL} for each pixel filled or copied).
 *
 * A message is never handled in the task that delivers it: it is queued, and a task of its own
 * (a timer, at once while the bucket holds work) handles what waits, in order, as far as the
 * bucket allows. Handled in its delivery task, a flood kept the page so busy that the browser
 * delivered a few dozen messages a second out of thousands, each to a bucket refilled by the
 * time spent drawing frames, and the backlog stayed in the browser's queue, out of reach of any
 * budget (the page answered nothing for more than 8 s after such a flood stopped). Queued, a
 * delivery costs next to nothing, the browser's queue empties as fast as it fills, and the budget
 * decides over everything that came. An honest first picture (44 messages at 720p, 94 at 1080p,
 * ≈ 65–140 ms of work on a 2-core machine without a GPU) is handled in the first such task.
 *
 * Once the bucket is empty, messages wait for it to refill; one that has waited
 * {@link MAX_WAIT_MS} is *shed*: dropped unread and so never acknowledged, which the agent treats
 * as a loss and sends that area again (an honest agent's timeout has long fired by then anyway).
 * The queue is also bounded in bytes.
 */

/**
 * What the bucket holds (ms). Work refills it at SHARE while it runs, so back-to-back work may go
 * on for about BURST_MS / (1 − SHARE) = 300 ms before the share applies.
 */
export const BURST_MS = 150;
/** The share of the time the tiles may take once the burst is spent. */
export const SHARE = 0.5;
/** A message older than this (ms) in the queue is shed. */
export const MAX_WAIT_MS = 1000;
/** The queue's bound in bytes (a 1080p first picture of photographs is about 6 MB). */
export const MAX_QUEUE_BYTES = 8 * 1024 * 1024;
/** The drawing a filled or copied pixel costs later, without a GPU (≈ 1.4 ns measured for full-screen fills). */
export const RASTER_MS_PER_PIXEL = 1e-6;

/** What handling one message did, for its cost: the pixels it filled or copied (drawn later). */
export interface HandledWork {
  drawnPixels: number;
}

export interface TileWorkBudgetOptions {
  now?: () => number;
  /** Runs `callback` after `ms` (a timer; tests pass their own). */
  later?: (callback: () => void, ms: number) => () => void;
  /** Hears of each message shed, with the count so far. */
  onShed?: (shed: number) => void;
}

/** Counters for tests and diagnostics. */
export interface TileWorkStats {
  handled: number;
  /** Messages dropped unread: waited too long, or past the queue's bytes. */
  shed: number;
}

/** See the module description. */
export class TileWorkBudget {
  private tokens = BURST_MS;
  private at: number;
  private readonly queue: { data: ArrayBuffer; at: number }[] = [];
  private queueBytes = 0;
  private cancelTimer: (() => void) | null = null;
  private disposed = false;
  private readonly now: () => number;
  private readonly later: (callback: () => void, ms: number) => () => void;
  private readonly onShed: (shed: number) => void;
  readonly stats: TileWorkStats = { handled: 0, shed: 0 };

  constructor(
    /** Handles one message (the tile receiver, through a painter that counts what it draws). */
    private readonly handle: (data: ArrayBuffer) => HandledWork,
    options: TileWorkBudgetOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.later =
      options.later ??
      ((callback, ms) => {
        const timer = setTimeout(callback, ms);
        return () => clearTimeout(timer);
      });
    this.onShed = options.onShed ?? (() => undefined);
    this.at = this.now();
  }

  /** Takes one message of the channel: queued, and handled in a task of its own as the budget allows. */
  push(data: ArrayBuffer): void {
    if (this.disposed) return;
    if (this.queueBytes + data.byteLength > MAX_QUEUE_BYTES) {
      this.shed();
      return;
    }
    this.queue.push({ data, at: this.now() });
    this.queueBytes += data.byteLength;
    this.schedule();
  }

  /** Messages waiting now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Drops what waits and stops: the channel closed. */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.queue.length = 0;
    this.queueBytes = 0;
  }

  private shed(): void {
    this.stats.shed++;
    this.onShed(this.stats.shed);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(BURST_MS, this.tokens + (now - this.at) * SHARE);
    this.at = now;
  }

  private run(data: ArrayBuffer): void {
    const started = this.now();
    const work = this.handle(data);
    this.stats.handled++;
    // The time it took refills the bucket too (at the next `refill`): work is held to a share of all the time.
    this.tokens -= this.now() - started + work.drawnPixels * RASTER_MS_PER_PIXEL;
  }

  /** Handles what waits while the budget allows, shedding what waited too long; then waits for the refill. */
  private drain(): void {
    this.cancelTimer = null;
    if (this.disposed) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens > 0) {
      const next = this.queue.shift() as { data: ArrayBuffer; at: number };
      this.queueBytes -= next.data.byteLength;
      if (this.now() - next.at > MAX_WAIT_MS) {
        this.shed();
        continue;
      }
      this.run(next.data);
      this.refill();
    }
    if (this.queue.length > 0) this.schedule();
  }

  private schedule(): void {
    if (this.cancelTimer) return;
    this.refill();
    // At once while the bucket holds work, else when it is back above zero.
    const wait = this.tokens > 0 ? 0 : Math.max(1, Math.ceil(-this.tokens / SHARE));
    this.cancelTimer = this.later(() => this.drain(), wait);
  }
}
