/**
 * @module platform/linux/pointerTracker
 * Where the pointer is, without asking the X server while it stands still. A RECORD
 * context on a connection of its own receives every pointer motion the server processes,
 * with the position in it: real devices, XTEST (the agent's own injector) and warps
 * (`XWarpPointer`, as other tools move the pointer). XInput 2 `RawMotion` would miss the
 * warps (the server makes them with no raw event). So `position()` answers from the last
 * motion, and `watch()` reports each motion as it comes, with no timer and no round trip
 * while the pointer stands still. A position older than {@link POINTER_FRESH_MS} is
 * still asked for (`QueryPointer`), as a safety net for moves no event reports. Without
 * RECORD every call asks, as before.
 */
import type { Point } from '../types.js';
import {
  closeX11,
  connectX11,
  enableRecordContext,
  keptRecordReplies,
  requireExtension,
  xcall,
  type RecordExt,
  type XDisplay,
} from './x11.js';

/** A known position is trusted this long without a motion event, then asked for again. */
export const POINTER_FRESH_MS = 1000;

/** A RECORD context that has not started by then is given up (every call then asks). */
const RECORD_START_TIMEOUT_MS = 2000;

/** Core `MotionNotify`, the only device event recorded. */
const MOTION_NOTIFY = 6;
/** Bytes of one recorded core event. */
const EVENT_SIZE = 32;

/** Counters for tests and diagnostics. */
export interface PointerTrackerStats {
  /** Whether motion events come in (RECORD). */
  events: boolean;
  /** `QueryPointer` round trips made. */
  queries: number;
  /** Answers given from the known position. */
  cached: number;
  motionEvents: number;
  /** Recorded replies the X client library still holds (must stay 0: a long session would grow). */
  keptReplies: number;
}

export interface PointerTrackerOptions {
  /** X display name of `x` (the RECORD data connection goes to the same server). */
  display?: string | undefined;
  /** Clock for the freshness of a known position (tests). */
  now?: () => number;
  /** false: never use RECORD (every call asks the server). */
  events?: boolean;
}

type Listener = (point: Point | null) => void;

/** A RECORD context: created on the caller's connection, enabled on `data`. */
interface Recording {
  data: XDisplay;
  ext: RecordExt;
  context: number;
  /** The EnableContext request's sequence number on `data`. */
  sequence: number;
}

/** Follows the pointer of one X server; the caller owns `x`, the tracker its RECORD connection. */
export class X11PointerTracker {
  readonly #x: XDisplay;
  readonly #root: number;
  readonly #record: Recording | null;
  readonly #now: () => number;
  #known: { point: Point | null; at: number } | null = null;
  #query: Promise<Point | null> | null = null;
  readonly #listeners = new Set<Listener>();
  #delivered: string | undefined;
  #closed = false;
  readonly #stats: PointerTrackerStats;

  private constructor(x: XDisplay, record: Recording | null, now: () => number) {
    this.#x = x;
    this.#root = x.screen[0]?.root ?? 0;
    this.#record = record;
    this.#now = now;
    this.#stats = { events: !!record, queries: 0, cached: 0, motionEvents: 0, keptReplies: 0 };
  }

  /**
   * Starts recording pointer motion when the server has RECORD and confirms it (its first
   * reply, StartOfData, within {@link RECORD_START_TIMEOUT_MS}); otherwise every call asks.
   */
  static async open(x: XDisplay, options: PointerTrackerOptions = {}): Promise<X11PointerTracker> {
    const now = options.now ?? (() => performance.now());
    let record = options.events === false ? null : await startRecording(x, options.display);
    let tracker: X11PointerTracker | null = null;
    if (record) {
      const recording = record;
      const { ext, context, data } = recording;
      let timer: NodeJS.Timeout | undefined;
      const started = await new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), RECORD_START_TIMEOUT_MS);
        recording.sequence = enableRecordContext(
          data,
          ext,
          context,
          (reply) => {
            if (reply.category === ext.Category.StartOfData) resolve(true);
            else if (reply.category === ext.Category.FromServer && tracker) tracker.#onRecorded(reply.data);
          },
          () => resolve(false),
        );
      });
      clearTimeout(timer);
      if (!started) {
        await closeX11(data);
        record = null;
      }
    }
    tracker = new X11PointerTracker(x, record, now);
    return tracker;
  }

  stats(): PointerTrackerStats {
    const record = this.#record;
    const keptReplies = record ? keptRecordReplies(record.data, record.sequence) : 0;
    return { ...this.#stats, keptReplies };
  }

  /** The pointer in root-window pixels, or null when it is on another screen. */
  position(): Promise<Point | null> {
    const known = this.#known;
    if (this.#record && known && this.#now() - known.at < POINTER_FRESH_MS) {
      this.#stats.cached++;
      return Promise.resolve(known.point);
    }
    return this.#ask();
  }

  /**
   * Calls `onMove` with the new position after each batch of motion events (nothing while
   * the pointer stands still), until the returned function is called. Null without RECORD:
   * the caller then has to poll {@link position}.
   */
  watch(onMove: Listener): (() => void) | null {
    if (!this.#record) return null;
    this.#listeners.add(onMove);
    return () => this.#listeners.delete(onMove);
  }

  /**
   * Stops recording: closes the RECORD connection (the server stops recording for a client
   * that went away; the context itself goes with the caller's connection). Sends nothing
   * on the caller's connection, which may be dead (the X server gone) when this runs.
   */
  close(): void {
    if (this.#closed || !this.#record) return;
    this.#closed = true;
    this.#listeners.clear();
    void closeX11(this.#record.data);
  }

  /** One query at a time. */
  #ask(): Promise<Point | null> {
    if (this.#query) return this.#query;
    this.#stats.queries++;
    const query = xcall<{ rootX: number; rootY: number; sameScreen: number }>((cb) =>
      this.#x.client.QueryPointer(this.#root, cb),
    ).then(
      (reply) => {
        this.#query = null;
        const point = reply.sameScreen ? { x: reply.rootX, y: reply.rootY } : null;
        this.#known = { point, at: this.#now() };
        return point;
      },
      (error: unknown) => {
        this.#query = null;
        throw error;
      },
    );
    this.#query = query;
    return query;
  }

  /** Recorded protocol: whole 32-byte core events; the last motion of the batch counts. */
  #onRecorded(data: Buffer): void {
    let point: Point | null | undefined;
    for (let offset = 0; offset + EVENT_SIZE <= data.length; offset += EVENT_SIZE) {
      if ((data.readUInt8(offset) & 0x7f) !== MOTION_NOTIFY) continue;
      this.#stats.motionEvents++;
      const sameScreen = data.readUInt32LE(offset + 8) === this.#root;
      point = sameScreen ? { x: data.readInt16LE(offset + 20), y: data.readInt16LE(offset + 22) } : null;
    }
    if (point === undefined) return;
    this.#known = { point, at: this.#now() };
    const key = point ? `${point.x},${point.y}` : 'null';
    if (key === this.#delivered) return;
    this.#delivered = key;
    for (const listener of this.#listeners) listener(point);
  }
}

/** A RECORD context for every client's pointer motion, enabled on a connection of its own. */
async function startRecording(x: XDisplay, display: string | undefined): Promise<Recording | null> {
  const control = await requireExtension(x.client, 'record');
  if (!control) return null;
  let data: XDisplay | null = null;
  try {
    data = await connectX11(display);
    const ext = await requireExtension(data.client, 'record');
    if (!ext) throw new Error('RECORD not on the second connection');
    const context = x.client.AllocID();
    control.CreateContext(
      context,
      0,
      [control.CS.AllClients],
      [{ deviceEvents: { first: MOTION_NOTIFY, last: MOTION_NOTIFY } }],
    );
    await x.client.sync();
    return { data, ext, context, sequence: 0 };
  } catch {
    if (data) await closeX11(data);
    return null;
  }
}
