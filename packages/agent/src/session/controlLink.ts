/**
 * @module session/controlLink
 * The agent's end of the `control` data channel. Sends `displays` and `controlState`
 * when the channel opens, `controlState` whenever the consent gate opens or closes,
 * and `cursor` while the local pointer moves: reported by the platform's motion events where
 * it has them (nothing runs while the pointer stands still), else polled at ~30 Hz; either
 * way at most one `cursor` per interval, the first move of a burst at once. `cursorShape`
 * when the pointer's image changes (where the platform reports it), as a PNG, at most one per
 * {@link SHAPE_INTERVAL_MS} (the newest: an animated cursor's frames are not all sent); once the
 * helper said it keeps images (`cursorCache`), each with its id and an image sent before as
 * `cursorShapeRef` (an animated cursor's cycle then costs a few bytes a frame, not 1–3 KB).
 * Parses the helper's messages (`laser`, `laserOff`, `selectDisplay`) and hands them on.
 */
import {
  AgentControlMessage,
  CURSOR_IMAGE_CACHE,
  HelperControlMessage,
  MAX_CURSOR_PNG_BASE64,
  MAX_CURSOR_SIDE,
  type CursorImage,
  type DisplayInfo as WireDisplayInfo,
} from '@remote-help/protocol';
import { createHash } from 'node:crypto';
import { encodeRgbaPng } from '../capture/png.js';
import type { ConsentGate } from '../input/consentGate.js';
import type { CursorShape, DisplayInfo, Point } from '../platform/types.js';

/** A pointer query taking longer than this is given up (the next poll asks again). */
const POINTER_TIMEOUT_MS = 1000;

/** Shortest time between two `cursorShape` messages. */
export const SHAPE_INTERVAL_MS = 50;
/** Cursor images kept encoded, by serial. */
const MAX_ENCODED = 64;

/**
 * The name of an image by its content (48 bits of its SHA-1: the PNG, size and hot spot), the same for
 * the same look whatever the platform's serial: programs make new cursors of a look they showed before.
 */
export function cursorImageId(image: CursorImage): number {
  const digest = createHash('sha1')
    .update(`${image.width}x${image.height}+${image.hotX}+${image.hotY}:${image.png}`)
    .digest();
  return digest.readUIntBE(0, 6);
}

/** The protocol's image of a cursor shape; null when it is too large to send (the helper draws its arrow). */
export function cursorImage(shape: CursorShape): CursorImage | null {
  if (shape.width > MAX_CURSOR_SIDE || shape.height > MAX_CURSOR_SIDE) return null;
  const png = encodeRgbaPng(shape.width, shape.height, shape.rgba).toString('base64');
  if (png.length > MAX_CURSOR_PNG_BASE64) return null;
  return { width: shape.width, height: shape.height, hotX: shape.hotX, hotY: shape.hotY, png };
}

/** Longest control message accepted from the helper (characters of JSON). */
const MAX_CONTROL_MESSAGE_LENGTH = 1024;

/** What the control link sends with and reports to. */
export interface ControlLinkOptions {
  /** Writes one message on the channel; false when it is not open. */
  send(text: string): boolean;
  gate: ConsentGate;
  /** The display being shared and every display there is. */
  display(): DisplayInfo;
  displays(): DisplayInfo[];
  /** The local pointer in global pixels (null: unknown). Absent: no cursor messages. */
  pointer?: (() => Promise<Point | null>) | undefined;
  /** Reports each pointer move (`DesktopServices.watchPointer`); null or absent: poll `pointer`. */
  watchPointer?: ((onMove: (point: Point | null) => void) => (() => void) | null) | undefined;
  /** Reports the pointer's image (`DesktopServices.watchCursorShape`); null or absent: no `cursorShape`. */
  watchCursorShape?: ((onShape: (shape: CursorShape | null) => void) => (() => void) | null) | undefined;
  onLaser(position: Point | null): void;
  onSelectDisplay(id: string): void;
  /** Cursor poll interval (default 33 ms ≈ 30 Hz). */
  cursorIntervalMs?: number;
}

/** What the link has done, for tests and diagnostics. */
export interface ControlLinkStats {
  sent: number;
  received: number;
  rejected: number;
  cursorUpdates: number;
  cursorShapes: number;
}

/** Protocol form of a display. */
export function wireDisplay(display: DisplayInfo): WireDisplayInfo {
  return {
    id: display.id.slice(0, 64),
    name: display.name.slice(0, 128),
    width: display.bounds.width,
    height: display.bounds.height,
    primary: display.primary,
  };
}

/** Global pixels → normalized coordinates of `display`, or null when outside it. */
export function normalizeOnDisplay(point: Point, display: DisplayInfo): Point | null {
  const { x, y, width, height } = display.bounds;
  const dx = point.x - x;
  const dy = point.y - y;
  if (dx < 0 || dy < 0 || dx >= width || dy >= height) return null;
  return { x: width > 1 ? dx / (width - 1) : 0, y: height > 1 ? dy / (height - 1) : 0 };
}

/** One `control` channel of one session. */
export class ControlLink {
  readonly #o: ControlLinkOptions;
  readonly #stats: ControlLinkStats = { sent: 0, received: 0, rejected: 0, cursorUpdates: 0, cursorShapes: 0 };
  #unsubscribe: (() => void) | null = null;
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | null = null;
  /** Event mode: when the last cursor went out, and the newest position waiting for the interval. */
  #lastSentAt = -Infinity;
  #waiting: Point | null | undefined;
  #trailing: NodeJS.Timeout | undefined;
  #polling = false;
  #lastCursor = '';
  /**
   * The pointer's image now (null: one that cannot be read; undefined: none known), the key of
   * the one last sent on this channel (its serial, -1 for no image), and the trailing send's timer.
   */
  #shape: CursorShape | null | undefined = undefined;
  #shapeSent: number | null = null;
  #shapeSentAt = -Infinity;
  #shapeTimer: NodeJS.Timeout | undefined;
  #unwatchShape: (() => void) | null = null;
  /** Images encoded, by the platform's serial, with the id their content gives them. */
  readonly #encoded = new Map<number, { image: CursorImage; id: number } | null>();
  /** The helper keeps images by id (it said `cursorCache`), and the ids it has from this agent since. */
  #helperKeeps = false;
  readonly #helperHas = new Set<number>();
  #closed = false;

  constructor(options: ControlLinkOptions) {
    this.#o = options;
  }

  stats(): ControlLinkStats {
    return { ...this.#stats };
  }

  /** The channel opened: tell the helper what it needs and start following the pointer. */
  open(): void {
    if (this.#closed) return;
    this.sendDisplays();
    this.#send({ type: 'controlState', active: this.#o.gate.allowed });
    this.#unsubscribe ??= this.#o.gate.onChange((allowed) => this.#send({ type: 'controlState', active: allowed }));
    // A new channel has no image yet: the current one goes again.
    this.#shapeSent = null;
    this.#unwatchShape ??= this.#o.watchCursorShape?.((shape) => this.#onShape(shape)) ?? null;
    if (this.#shape !== undefined) this.#sendShape();
    if (this.#unwatch || this.#timer) return;
    this.#unwatch = this.#o.watchPointer?.((point) => this.#onMove(point)) ?? null;
    if (this.#unwatch) {
      // Where the pointer stands now; then only moves.
      void this.#pollCursor();
    } else if (this.#o.pointer) {
      this.#timer = setInterval(() => void this.#pollCursor(), this.#interval());
      this.#timer.unref();
    }
  }

  /** Sends the display list (on open and after a switch). */
  sendDisplays(): void {
    this.#lastCursor = '';
    this.#send({ type: 'displays', displays: this.#o.displays().map(wireDisplay), current: this.#o.display().id });
  }

  /**
   * A control channel opened (a new connection, possibly before Allow): its helper keeps no image
   * named on an earlier one, and says so itself (`cursorCache`) as its channel opens.
   */
  channelOpened(): void {
    this.#helperKeeps = false;
    this.#helperHas.clear();
  }

  /**
   * Handles one message from the helper; invalid ones are counted and ignored. Before the sharer
   * allowed anything (`consented` false: the connection is made while they read the request) only
   * `cursorCache` is taken, which the helper sends as the channel opens.
   */
  handle(raw: string | ArrayBuffer, consented = true): void {
    this.#stats.received++;
    const message = typeof raw === 'string' && raw.length <= MAX_CONTROL_MESSAGE_LENGTH ? parse(raw) : null;
    if (!message) {
      this.#stats.rejected++;
      return;
    }
    if (!consented && message.type !== 'cursorCache') return;
    switch (message.type) {
      case 'laser':
        this.#o.onLaser({ x: message.x, y: message.y });
        return;
      case 'laserOff':
        this.#o.onLaser(null);
        return;
      case 'selectDisplay':
        this.#o.onSelectDisplay(message.id);
        return;
      case 'cursorCache':
        // From nothing: whole images again, with ids; the current one at once.
        this.#helperKeeps = true;
        this.#helperHas.clear();
        this.#shapeSent = null;
        if (this.#shape !== undefined) this.#onShape(this.#shape);
        return;
    }
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unwatch?.();
    this.#unwatch = null;
    clearTimeout(this.#trailing);
    clearTimeout(this.#shapeTimer);
    this.#unwatchShape?.();
    this.#unwatchShape = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** The pointer's image changed: sent at once unless one went out within the interval, then the newest at its end. */
  #onShape(shape: CursorShape | null): void {
    if (this.#closed) return;
    this.#shape = shape;
    if (this.#shapeTimer !== undefined) return;
    const wait = this.#shapeSentAt + SHAPE_INTERVAL_MS - performance.now();
    if (wait <= 0) return this.#sendShape();
    this.#shapeTimer = setTimeout(() => {
      this.#shapeTimer = undefined;
      this.#sendShape();
    }, wait);
  }

  /** Sends the current image unless this channel has it (never while paused: the next move after resuming does). */
  #sendShape(): void {
    const shape = this.#shape;
    if (this.#closed || shape === undefined || this.#o.gate.state().paused) return;
    const key = shape?.serial ?? -1;
    if (key === this.#shapeSent) return;
    const message = this.#shapeMessage(shape);
    if (this.#send(message)) {
      if (message.type === 'cursorShape' && message.id !== undefined) {
        // The helper keeps twice as many as named here, dropping its oldest: every id named since the clear is there.
        if (this.#helperHas.size >= CURSOR_IMAGE_CACHE) this.#helperHas.clear();
        this.#helperHas.add(message.id);
      }
      this.#shapeSent = key;
      this.#shapeSentAt = performance.now();
      this.#stats.cursorShapes++;
    }
  }

  /** The message for `shape`: a reference if the helper has it, else the image (with an id if the helper keeps ids). */
  #shapeMessage(shape: CursorShape | null): AgentControlMessage {
    if (!shape) return { type: 'cursorShape', image: null };
    let encoded = this.#encoded.get(shape.serial);
    if (encoded === undefined) {
      const image = cursorImage(shape);
      encoded = image ? { image, id: cursorImageId(image) } : null;
      if (this.#encoded.size >= MAX_ENCODED) this.#encoded.clear();
      this.#encoded.set(shape.serial, encoded);
    }
    if (!encoded) return { type: 'cursorShape', image: null };
    const { image, id } = encoded;
    if (!this.#helperKeeps) return { type: 'cursorShape', image };
    return this.#helperHas.has(id) ? { type: 'cursorShapeRef', id } : { type: 'cursorShape', image, id };
  }

  #interval(): number {
    return this.#o.cursorIntervalMs ?? 33;
  }

  /** A move from the platform: sent at once unless one went out within the interval, then the newest at its end. */
  #onMove(point: Point | null): void {
    if (this.#closed) return;
    const wait = this.#lastSentAt + this.#interval() - performance.now();
    if (wait <= 0 && this.#trailing === undefined) return this.#sendCursor(point);
    this.#waiting = point;
    this.#trailing ??= setTimeout(
      () => {
        this.#trailing = undefined;
        const waiting = this.#waiting;
        this.#waiting = undefined;
        if (waiting !== undefined) this.#sendCursor(waiting);
      },
      Math.max(0, wait),
    );
  }

  #sendCursor(point: Point | null): void {
    // Paused: where the pointer goes is the sharer's private business too.
    if (this.#closed || this.#o.gate.state().paused) return;
    const normalized = point && normalizeOnDisplay(point, this.#o.display());
    if (!normalized) return;
    const x = Math.round(normalized.x * 10_000) / 10_000;
    const y = Math.round(normalized.y * 10_000) / 10_000;
    const key = `${x},${y}`;
    if (key === this.#lastCursor) return;
    // After a pause the image may have changed while nothing was sent.
    if (this.#shape !== undefined && this.#shapeTimer === undefined) this.#sendShape();
    if (this.#send({ type: 'cursor', x, y })) {
      this.#lastCursor = key;
      this.#lastSentAt = performance.now();
      this.#stats.cursorUpdates++;
    }
  }

  async #pollCursor(): Promise<void> {
    if (this.#polling || this.#closed || !this.#o.pointer) return;
    // Paused: where the pointer goes is the sharer's private business too.
    if (this.#o.gate.state().paused) return;
    this.#polling = true;
    try {
      // A query that never answers must not stop the cursor for the rest of the session.
      let timer: NodeJS.Timeout | undefined;
      const point = await Promise.race([
        this.#o.pointer(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), POINTER_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(timer));
      this.#sendCursor(point);
    } catch {
      // The display connection went away; capture reports that on its own.
    } finally {
      this.#polling = false;
    }
  }

  #send(message: AgentControlMessage): boolean {
    const sent = this.#o.send(JSON.stringify(AgentControlMessage.parse(message)));
    if (sent) this.#stats.sent++;
    return sent;
  }
}

function parse(text: string): HelperControlMessage | null {
  try {
    const parsed = HelperControlMessage.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
