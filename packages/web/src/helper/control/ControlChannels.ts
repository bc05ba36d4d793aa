/**
 * @module ControlChannels
 * The helper's end of the native agent's data channels. `input` carries the
 * helper's pointer and keys to the agent (numbered, with a second copy on `input-fast`
 * when the agent opened it, so a lost packet does not hold a click back: see protocol
 * `input.ts`; pointer moves packed in 13 bytes when the agent's channel says it reads them); `control` carries the laser pointer and the
 * display choice to the agent, and the display list, the sharer's pointer (position and image) and
 * whether input is being injected back. Outgoing messages are validated first (an
 * invalid one is dropped and counted, never sent); incoming ones are parsed and
 * anything invalid is ignored. It holds no reference to React or to the peer
 * connection: it takes the channels and emits typed events.
 */
import { CURSOR_IMAGE_CACHE, PACKED_INPUT_PROTOCOL } from '@remote-help/protocol';
import type { CursorImage, DisplayInfo, HelperControlMessage, InputMessageInput } from '@remote-help/protocol';
import { Emitter } from '../../common/Emitter';
import { decodeAgentControl, encodeControl, encodeInput } from './channelCodec';
import type { Point } from './coordinates';

/** The part of `RTCDataChannel` used here. */
export interface DataChannelLike {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  /** The agent's sub-protocol (`PACKED_INPUT_PROTOCOL` when it reads packed pointer moves). */
  readonly protocol?: string;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  addEventListener(type: 'open' | 'close' | 'message', listener: (event: Event) => void): void;
  removeEventListener(type: 'open' | 'close' | 'message', listener: (event: Event) => void): void;
}

/** What the helper knows about the agent's side, for rendering. */
export interface ControlSnapshot {
  inputOpen: boolean;
  controlOpen: boolean;
  /** The sharer's displays (empty until the agent says). */
  displays: readonly DisplayInfo[];
  /** Id of the display being shared, when known. */
  currentDisplay: string | null;
  /** Whether the agent injects the helper's input now; null until it says. */
  injecting: boolean | null;
  /** Outgoing messages dropped because they broke the protocol (should stay 0). */
  dropped: number;
}

/** Events of {@link ControlChannels}. */
export interface ControlChannelEvents {
  /** The snapshot changed. */
  change: ControlSnapshot;
  /** The sharer's pointer moved (null: unknown, e.g. after a display switch). */
  cursor: Point | null;
  /** The sharer's pointer looks different (null: no image; draw an arrow). */
  cursorShape: CursorImage | null;
}

/** Pointer moves wait while this much is still queued on the channel, so they never pile up. */
const MAX_BUFFERED_FOR_MOVES = 64 * 1024;

/** The last number sent on each `input` channel. */
const sequences = new WeakMap<DataChannelLike, number>();

/**
 * Cursor images the agent named on each `control` channel, oldest first; at most twice what the
 * agent assumes. By channel, like `sequences`: every link listening to it stores what arrives, and
 * a new link over it starts them over (its `cursorCache`).
 */
const cursorImages = new WeakMap<DataChannelLike, Map<number, CursorImage>>();
const KEPT_CURSOR_IMAGES = CURSOR_IMAGE_CACHE * 2;
/** Least time between two `cursorCache` messages asked for by unknown references (a reset in flight sends a few). */
const CURSOR_CACHE_RESET_MS = 1000;

/** The snapshot while there are no channels. */
export const INITIAL_SNAPSHOT: ControlSnapshot = {
  inputOpen: false,
  controlOpen: false,
  displays: [],
  currentDisplay: null,
  injecting: null,
  dropped: 0,
};

/** See the module description. */
export class ControlChannels extends Emitter<ControlChannelEvents> {
  private state: ControlSnapshot;
  private cursorPosition: Point | null = null;
  private cursorImage: CursorImage | null = null;
  /** When an unknown reference last made this link ask the agent to start again. */
  private cursorCacheResetAt = -Infinity;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly input: DataChannelLike | undefined,
    private readonly control: DataChannelLike | undefined,
    private readonly fast?: DataChannelLike | undefined,
  ) {
    super();
    this.state = {
      ...INITIAL_SNAPSHOT,
      inputOpen: input?.readyState === 'open',
      controlOpen: control?.readyState === 'open',
    };
    if (input) {
      this.listen(input, 'open', () => this.update({ inputOpen: true }));
      this.listen(input, 'close', () => this.update({ inputOpen: false }));
    }
    if (control) {
      if (control.readyState === 'open') this.keepCursorImages(control);
      this.listen(control, 'open', () => {
        this.update({ controlOpen: true });
        this.keepCursorImages(control);
      });
      this.listen(control, 'close', () => {
        this.update({ ...INITIAL_SNAPSHOT, inputOpen: this.state.inputOpen, dropped: this.state.dropped });
        this.setCursor(null);
        this.setCursorShape(null);
      });
      this.listen(control, 'message', (event) => this.receive((event as MessageEvent<unknown>).data));
    }
  }

  /** The current snapshot (a new object after every change). */
  get snapshot(): ControlSnapshot {
    return this.state;
  }

  /** The sharer's pointer, when known. */
  get cursor(): Point | null {
    return this.cursorPosition;
  }

  /** What the sharer's pointer looks like, when the agent said. */
  get cursorShape(): CursorImage | null {
    return this.cursorImage;
  }

  /** Sends an `input` message; false when it was not sent (channel not open, invalid, or a move while congested). */
  sendInput(message: InputMessageInput): boolean {
    const channel = this.input;
    if (!channel || channel.readyState !== 'open') return false;
    if (message.type === 'pointerMove' && channel.bufferedAmount > MAX_BUFFERED_FOR_MOVES) return false;
    const fast = this.fast;
    if (!fast) return this.write(channel, encodeInput(message));
    // Numbered per channel, not per instance: the agent injects each number once per connection.
    const seq = (sequences.get(channel) ?? 0) + 1;
    // A move goes as 13 bytes instead of ≈ 75 characters, twice, when the agent reads them.
    const text = encodeInput({ ...message, seq }, channel.protocol === PACKED_INPUT_PROTOCOL);
    if (!this.write(channel, text)) return false;
    sequences.set(channel, seq);
    if (text !== null && fast.readyState === 'open' && fast.bufferedAmount <= MAX_BUFFERED_FOR_MOVES) {
      try {
        fast.send(text);
      } catch {
        // The reliable copy is on its way.
      }
    }
    return true;
  }

  /** Sends a `control` message; false when it was not sent. */
  sendControl(message: HelperControlMessage): boolean {
    const channel = this.control;
    if (!channel || channel.readyState !== 'open') return false;
    if (message.type === 'laser' && channel.bufferedAmount > MAX_BUFFERED_FOR_MOVES) return false;
    return this.write(channel, encodeControl(message));
  }

  /** Stops listening to the channels (they belong to the peer connection and stay open). */
  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.removeAllListeners();
  }

  private write(channel: DataChannelLike, text: string | Uint8Array<ArrayBuffer> | null): boolean {
    if (text === null) {
      this.update({ dropped: this.state.dropped + 1 });
      return false;
    }
    try {
      channel.send(text);
      return true;
    } catch {
      return false; // Closed between the check and the send.
    }
  }

  private receive(data: unknown): void {
    const message = decodeAgentControl(data);
    if (!message) return;
    switch (message.type) {
      case 'displays':
        this.update({ displays: message.displays, currentDisplay: message.current });
        this.setCursor(null);
        return;
      case 'cursor':
        this.setCursor({ x: message.x, y: message.y });
        return;
      case 'cursorShape':
        if (message.image && message.id !== undefined) this.rememberCursorImage(message.id, message.image);
        this.setCursorShape(message.image);
        return;
      case 'cursorShapeRef': {
        const image = (this.control && cursorImages.get(this.control)?.get(message.id)) ?? null;
        // Not kept (should not happen): the arrow meanwhile, and the agent starts again from whole images.
        if (!image && this.control) this.keepCursorImages(this.control, true);
        this.setCursorShape(image);
        return;
      }
      case 'controlState':
        this.update({ injecting: message.active });
        return;
    }
  }

  /**
   * Tells the agent that images are kept by id from now on, none yet (`cursorCache`): on open, and
   * when a reference names an image that is not here (`unknown`, at most once a second).
   */
  private keepCursorImages(control: DataChannelLike, unknown = false): void {
    const now = performance.now();
    if (unknown && now - this.cursorCacheResetAt < CURSOR_CACHE_RESET_MS) return;
    if (this.write(control, encodeControl({ type: 'cursorCache' }))) {
      if (unknown) this.cursorCacheResetAt = now;
      cursorImages.set(control, new Map());
    }
  }

  private rememberCursorImage(id: number, image: CursorImage): void {
    const kept = this.control && cursorImages.get(this.control);
    if (!kept) return;
    kept.delete(id);
    kept.set(id, image);
    if (kept.size > KEPT_CURSOR_IMAGES) kept.delete(kept.keys().next().value as number);
  }

  private setCursor(position: Point | null): void {
    if (position === null && this.cursorPosition === null) return;
    this.cursorPosition = position;
    this.emit('cursor', position);
  }

  private setCursorShape(image: CursorImage | null): void {
    if (image === this.cursorImage) return;
    this.cursorImage = image;
    this.emit('cursorShape', image);
  }

  private update(patch: Partial<ControlSnapshot>): void {
    this.state = { ...this.state, ...patch };
    this.emit('change', this.state);
  }

  private listen(channel: DataChannelLike, type: 'open' | 'close' | 'message', listener: (event: Event) => void): void {
    channel.addEventListener(type, listener);
    this.offs.push(() => channel.removeEventListener(type, listener));
  }
}
