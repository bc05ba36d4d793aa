/**
 * @module platform/linux/x11
 * The one bridge to the `x11` package (pure-JS X11 client, no types of its own):
 * the subset of its API the agent uses, typed, plus promise helpers.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AgentError } from '../../errors.js';

/** Node-style callback of the `x11` package. Returning true marks an error as handled. */
export type XCallback<T> = (error: Error | null | undefined, value: T) => unknown;

export interface XScreen {
  root: number;
  pixel_width: number;
  pixel_height: number;
  root_depth: number;
  root_visual: number;
  white_pixel: number;
  black_pixel: number;
}

export interface XDisplay {
  client: XClient;
  screen: XScreen[];
  /** 0 = LSBFirst (little endian), 1 = MSBFirst. */
  image_byte_order: number;
  format: Record<string, { bits_per_pixel: number; scanline_pad: number } | undefined>;
  isLocalSocket?: boolean;
  min_keycode: number;
  max_keycode: number;
  /** node-x11's count of resource ids taken from the connection's range (ids given back are used first). */
  rsrc_id: number;
}

export interface XEvent {
  name?: string;
  type: number;
  [field: string]: unknown;
}

export interface DamageNotifyEvent extends XEvent {
  name: 'DamageNotify';
  damage: number;
  area: { x: number; y: number; w: number; h: number };
}

export interface DamageExt {
  ReportLevel: { RawRectangles: 0; DeltaRectangles: 1; BoundingBox: 2; NonEmpty: 3 };
  Create(damage: number, drawable: number, level: number): void;
  Destroy(damage: number): void;
  Subtract(damage: number, repair: number, parts: number): void;
}

export interface ShmSegment {
  readonly size: number;
  getImage(
    drawable: number,
    x: number,
    y: number,
    width: number,
    height: number,
    planeMask: number,
    format: number | undefined,
    offset: number,
    cb: XCallback<{ depth: number; size: number }>,
  ): void;
  detach(cb?: () => void): void;
}

export interface ShmExt {
  usable(cb: XCallback<boolean>): void;
  createSegment(size: number, cb: XCallback<ShmSegment>): void;
}

export interface XineramaExt {
  IsActive(cb: XCallback<number>): void;
  QueryScreens(cb: XCallback<{ x: number; y: number; width: number; height: number }[]>): void;
}

export interface RandrExt {
  GetScreenResourcesCurrent(window: number, cb: XCallback<{ config_timestamp: number; outputs: number[] }>): void;
  GetOutputInfo(
    output: number,
    timestamp: number,
    cb: XCallback<{ crtc: number; connection: number; name: string }>,
  ): void;
  GetCrtcInfo(
    crtc: number,
    timestamp: number,
    cb: XCallback<{ x: number; y: number; width: number; height: number }>,
  ): void;
  GetOutputPrimary(window: number, cb: XCallback<number>): void;
  /** Asks for RandR events on `window` (`NotifyMask` bits). */
  SelectInput(window: number, mask: number): void;
  NotifyMask: { ScreenChange: number };
}

/** RECORD (`lib/ext/record.js`): the part the agent uses to follow the pointer. */
export interface RecordExt {
  CS: { CurrentClients: number; FutureClients: number; AllClients: number };
  Category: { FromServer: number; StartOfData: number; EndOfData: number };
  CreateContext(
    context: number,
    elementHeader: number,
    clientSpecs: number[],
    ranges: { deviceEvents?: { first: number; last: number } }[],
  ): void;
  /** Multi-reply: `onData` for each reply until the context is disabled (from another connection). */
  EnableContext(
    context: number,
    onData: (reply: { category: number; data: Buffer }) => void,
    cb: XCallback<unknown>,
  ): void;
}

/** Stands in for node-x11's list of a multi-reply request's replies: keeps none. */
const KEEP_NO_REPLY = { push: (): number => 0 };

/**
 * Enables a RECORD context on `data` (a connection of its own): `onData` gets each reply
 * as it comes, `onEnd` the end (or an error). node-x11 keeps every reply of a multi-reply
 * request to hand them all to its callback at the last one, and a RECORD context's last
 * reply comes only when it is disabled: the whole recording would stay in memory (≈ 280
 * bytes of heap a motion event, measured). So the request's list is replaced by one that
 * keeps nothing; {@link keptRecordReplies} says whether that holds.
 */
export function enableRecordContext(
  data: XDisplay,
  ext: RecordExt,
  context: number,
  onData: (reply: { category: number; data: Buffer }) => void,
  onEnd: () => void,
): number {
  ext.EnableContext(context, onData, () => onEnd());
  const sequence = data.client.seq_num;
  const handler = data.client.replies[sequence];
  if (handler) handler[3] = KEEP_NO_REPLY;
  return sequence;
}

/** Replies node-x11 holds for the multi-reply request `sequence` (0 once it ended). */
export function keptRecordReplies(data: XDisplay, sequence: number): number {
  const kept = data.client.replies[sequence]?.[3];
  return Array.isArray(kept) ? kept.length : 0;
}

/** XFIXES (`lib/ext/fixes.js`): the part the agent uses to follow the cursor's image. */
export interface FixesExt {
  CursorNotifyMask: { DisplayCursor: number };
  SelectCursorInput(window: number, mask: number): void;
  /** The current cursor: `cursorImage` is `width × height` ARGB32 words, premultiplied alpha. */
  GetCursorImage(
    cb: XCallback<{
      width: number;
      height: number;
      xhot: number;
      yhot: number;
      cursorSerial: number;
      cursorImage: Buffer;
    }>,
  ): void;
}

interface Extensions {
  damage: DamageExt;
  fixes: FixesExt;
  record: RecordExt;
  shm: ShmExt;
  xinerama: XineramaExt;
  randr: RandrExt;
  xtest: XTestExt;
}

/** XTEST: fake key and button events (`lib/ext/xtest.js`). */
export interface XTestExt {
  KeyPress: number;
  KeyRelease: number;
  ButtonPress: number;
  ButtonRelease: number;
  MotionNotify: number;
  FakeInput(type: number, keycode: number, time: number, window: number, x: number, y: number): void;
}

export interface XClient {
  AllocID(): number;
  /** Gives an id back for a later `AllocID` (once the server has freed what it named). */
  ReleaseID(id: number): void;
  /** node-x11's sequence number of the last request sent. */
  seq_num: number;
  /** node-x11's reply handlers by sequence number: `[unpack, callback, multiReply?, kept replies?]`. */
  replies: Record<number, unknown[] | undefined>;
  GetImage(
    format: number,
    drawable: number,
    x: number,
    y: number,
    width: number,
    height: number,
    planeMask: number,
    cb: XCallback<{ depth: number; data: Buffer }>,
  ): void;
  GetKeyboardMapping(firstKeycode: number, count: number, cb: XCallback<number[][]>): void;
  /** `keysyms`: `keysymsPerKeycode` entries for each keycode from `firstKeycode`. */
  ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): void;
  QueryPointer(
    window: number,
    cb: XCallback<{ root: number; child: number; rootX: number; rootY: number; sameScreen: number }>,
  ): void;
  WarpPointer(
    srcWindow: number,
    dstWindow: number,
    srcX: number,
    srcY: number,
    srcWidth: number,
    srcHeight: number,
    dstX: number,
    dstY: number,
  ): void;
  GrabKey(
    window: number,
    ownerEvents: number,
    modifiers: number,
    keycode: number,
    pointerMode: number,
    keyboardMode: number,
  ): void;
  UngrabKey(window: number, keycode: number, modifiers: number): void;
  CreateWindow(
    id: number,
    parent: number,
    x: number,
    y: number,
    width: number,
    height: number,
    borderWidth: number,
    depth: number,
    windowClass: number,
    visual: number,
    values: Record<string, number | boolean>,
  ): void;
  MapWindow(id: number): void;
  DestroyWindow(id: number): void;
  CreatePixmap(id: number, drawable: number, depth: number, width: number, height: number): void;
  FreePixmap(id: number): void;
  CreateGC(id: number, drawable: number, values: Record<string, number>): void;
  ChangeGC(id: number, values: Record<string, number>): void;
  FreeGC(id: number): void;
  PolyFillRectangle(drawable: number, gc: number, rects: number[]): void;
  /** Only this client's requests run until `UngrabServer` (tests: draws no other client's read falls between). */
  GrabServer(): void;
  UngrabServer(): void;
  /** `data`: rows of pixels as the server's format says (ZPixmap, 32 bits per pixel at depth 24: BGRX). */
  PutImage(
    format: number,
    drawable: number,
    gc: number,
    width: number,
    height: number,
    dstX: number,
    dstY: number,
    leftPad: number,
    depth: number,
    data: Buffer,
  ): void;
  InternAtom(onlyIfExists: boolean, name: string, cb: XCallback<number>): void;
  ChangeProperty(mode: number, window: number, property: number, type: number, format: number, data: string): void;
  GetProperty(
    remove: number,
    window: number,
    property: number,
    type: number,
    longOffset: number,
    longLength: number,
    cb: XCallback<{ type: number; data: Buffer }>,
  ): void;
  require<K extends keyof Extensions>(name: K, cb: XCallback<Extensions[K]>): void;
  on(event: 'event', listener: (event: XEvent) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
  removeListener(event: string, listener: (...args: never[]) => void): this;
  sync(): Promise<void>;
  close(cb?: () => void): void;
  terminate(): void;
}

const require = createRequire(import.meta.url);
let x11Module:
  { createClient(options: { display?: string; shm?: SegmentFiles }, cb: XCallback<XDisplay>): XClient } | undefined;

/** A shared-memory segment as {@link SegmentFiles} makes it: an unlinked file on `/dev/shm`. */
export interface SegmentFile {
  readonly size: number;
  /** Open on the unlinked file; the X server maps the same file (MIT-SHM `AttachFd`). */
  fd: number | null;
  /** Unused (the `x11` package's segment API exposes it; this provider's reads go to `fd`). */
  readonly buffer: Buffer;
}

/**
 * The `x11` package's shared-memory provider contract (`lib/shm-provider.js`), with segments
 * whose file the caller reads itself. The package's own provider copies every read from the
 * segment into a buffer of the segment's size, from which the caller copies it again into its
 * frame; reading the file straight into the frame (or next to it, see `pixelReader`) saves one
 * copy of every pixel and a second buffer of the screen's size.
 */
export class SegmentFiles {
  readonly flavor = 'fd';
  readonly zeroCopy = false;
  /** The segment `create` made last (`ShmExt.createSegment` calls it synchronously). */
  last: SegmentFile | null = null;

  create(size: number): SegmentFile {
    if (!(size > 0)) throw new RangeError('segment size must be positive');
    const path = `/dev/shm/remote-help-shm-${process.pid}-${randomUUID()}`;
    const fd = openSync(path, 'w+', 0o600);
    try {
      ftruncateSync(fd, size);
    } catch (error) {
      closeSync(fd);
      throw error;
    } finally {
      // Anonymous from here on: the file lives while our descriptor or the server's mapping does.
      rmSync(path, { force: true });
    }
    this.last = { size, fd, buffer: Buffer.alloc(0) };
    return this.last;
  }

  /** Writing (PutImage) is not used on this connection. */
  commit(): void {}

  /** Reads are the caller's (`readSync` on the file). */
  sync(): void {}

  destroy(segment: SegmentFile): void {
    if (segment.fd === null) return;
    try {
      closeSync(segment.fd);
    } catch {
      // already closed
    }
    segment.fd = null;
  }
}

/** X11 `ImageFormat.ZPixmap`. */
export const Z_PIXMAP = 2;

/** Runs a callback-style `x11` call as a promise (the error is marked handled). */
export function xcall<T>(start: (cb: XCallback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => {
      if (error) reject(error);
      else resolve(value);
      return true;
    });
  });
}

/**
 * Calls `listener` once when the connection to the X server is gone: the server closed it
 * ('end'), or a write or read failed first (EPIPE, ECONNRESET: a system error, which node-x11
 * emits as 'error' with no 'end' after it). X protocol errors (BadValue…) carry no system
 * error code and are not a loss.
 */
export function onConnectionLost(client: XClient, listener: () => void): void {
  let called = false;
  const lost = (): void => {
    if (called) return;
    called = true;
    listener();
  };
  client.on('end', lost);
  client.on('error', (error) => {
    if (typeof (error as NodeJS.ErrnoException).code === 'string') lost();
  });
}

/** The extension, or null when the server does not have it. */
export async function requireExtension<K extends keyof Extensions>(
  client: XClient,
  name: K,
): Promise<Extensions[K] | null> {
  try {
    return await xcall<Extensions[K]>((cb) => client.require(name, cb));
  } catch {
    return null;
  }
}

/** Connects to `display` (default `$DISPLAY`), or throws `AgentError('display_unavailable')`. */
export async function connectX11(
  display = process.env['DISPLAY'],
  timeoutMs = 5000,
  shm?: SegmentFiles,
): Promise<XDisplay> {
  if (!display) throw new AgentError('display_unavailable', 'No X display: DISPLAY is not set');
  x11Module ??= require('x11') as NonNullable<typeof x11Module>;
  const createClient = x11Module.createClient;
  let timer: NodeJS.Timeout | undefined;
  const connecting = xcall<XDisplay>((cb) => createClient(shm ? { display, shm } : { display }, cb)).then(
    (connected) => {
      // The client throws when it emits 'error' with no listener; owners add their own.
      connected.client.on('error', () => undefined);
      return connected;
    },
  );
  try {
    return await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // A set-up that completes after the caller gave up would leave a connection nobody closes.
          void connecting.then(
            (late) => late.client.terminate(),
            () => undefined,
          );
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new AgentError(
      'display_unavailable',
      `Cannot connect to X display ${display}: ${String(error)}`,
      { display },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Closes the connection, waiting for the socket to go away (bounded); a second call settles at once. */
export function closeX11(display: XDisplay, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      display.client.terminate();
      resolve();
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      display.client.close(done);
    } catch {
      done(); // node-x11 throws when the client is closing already
    }
  });
}
