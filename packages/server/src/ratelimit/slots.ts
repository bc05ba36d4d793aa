/**
 * @module ratelimit/slots
 * A bound on how many of one kind of costly work run at once in this process, with a bounded
 * waiting room: `acquire` resolves with a release function when a slot is free (first come,
 * first served), or with null at once when the waiting room is full (the caller refuses the
 * request). In memory, per process: what it protects (threads, memory) is the process's own.
 */
export class Slots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  /** Work running now. */
  get active(): number {
    return this.running;
  }

  /** Work waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** A release function once a slot is this caller's, or null when too many already wait. */
  async acquire(): Promise<(() => void) | null> {
    if (this.running < this.max) {
      this.running++;
      return this.releaser();
    }
    if (this.queue.length >= this.maxWaiting) return null;
    // The slot is handed over by `release` (`running` stays as it is).
    await new Promise<void>((resolve) => this.queue.push(resolve));
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    };
  }
}
