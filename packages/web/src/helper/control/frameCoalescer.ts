/**
 * @module frameCoalescer
 * Keeps only the latest of many values and delivers it once per animation frame, so a
 * fast mouse sends at most one position per frame.
 */

/** Schedules a callback for the next frame and returns a handle to cancel it. */
export type FrameScheduler = (callback: () => void) => number;

/** See the module description. */
export class FrameCoalescer<T> {
  private pending: { value: T } | null = null;
  private handle: number | null = null;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly schedule: FrameScheduler = (callback) => requestAnimationFrame(callback),
    private readonly unschedule: (handle: number) => void = (handle) => cancelAnimationFrame(handle),
  ) {}

  /** Replaces the value waiting for the next frame (and schedules that frame if needed). */
  push(value: T): void {
    this.pending = { value };
    this.handle ??= this.schedule(() => {
      this.handle = null;
      this.flush();
    });
  }

  /** Delivers the waiting value now (e.g. before a click, so the click lands after the move). */
  flush(): void {
    const pending = this.pending;
    this.cancel();
    if (pending) this.deliver(pending.value);
  }

  /** Drops the waiting value. */
  cancel(): void {
    this.pending = null;
    if (this.handle !== null) this.unschedule(this.handle);
    this.handle = null;
  }
}
