/**
 * @module session/activeMedia
 * Everything that exists only while a session is active: the media pipeline, the
 * input injector and dispatcher for the shared display, and the control link. Signals
 * and input that arrive before their consumer is ready are kept (bounded) and replayed;
 * replayed input still goes through the consent gate at that moment.
 */
import type { SignalPayload } from '@remote-help/protocol';
import type { ConsentGate } from '../input/consentGate.js';
import { InputDispatcher } from '../input/inputDispatcher.js';
import type { DisplayInfo, InputInjector, Point, ScreenFrame } from '../platform/types.js';
import { ControlLink, wireDisplay } from './controlLink.js';
import type { LiveMedia } from './screenShare.js';

/** Signals from the helper kept while the media is starting. */
const MAX_PENDING_SIGNALS = 200;
/** Input messages kept while the injector is starting. */
const MAX_PENDING_INPUT = 256;

/** Waits before replacing a failed connection. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 10_000;

/** How far the WebRTC side has got. */
export type MediaState = 'none' | 'starting' | 'connecting' | 'connected' | 'failed';

/** The pipeline, the gate and the callbacks of one active session. */
export interface ActiveMediaOptions {
  media: LiveMedia;
  gate: ConsentGate;
  injector(display: DisplayInfo): Promise<InputInjector>;
  /** The local pointer (global pixels); absent: no cursor messages. */
  pointer?: (() => Promise<Point | null>) | undefined;
  sendSignal(payload: SignalPayload): void;
  onState(state: MediaState): void;
  onLaser(position: Point | null): void;
  onFrame(frame: ScreenFrame): void;
  /** The shared display changed. */
  onDisplay(): void;
  onProblem?: ((what: string, error: unknown) => void) | undefined;
  cursorIntervalMs?: number | undefined;
}

/** The media, input and control of one active session. */
export class ActiveMedia {
  readonly #o: ActiveMediaOptions;
  readonly #media: LiveMedia;
  readonly #control: ControlLink;
  #injector: InputInjector | null = null;
  #dispatcher: InputDispatcher | null = null;
  #started = false;
  #closed = false;
  #pendingSignals: SignalPayload[] = [];
  #pendingInput: [string | ArrayBuffer, number][] = [];
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: ActiveMediaOptions) {
    this.#o = options;
    const media = options.media;
    this.#media = media;
    this.#control = new ControlLink({
      send: (text) => media.sendControl(text),
      gate: options.gate,
      display: () => media.display,
      displays: () => media.displays(),
      pointer: options.pointer,
      onLaser: options.onLaser,
      onSelectDisplay: (id) => void this.#selectDisplay(id),
      ...(options.cursorIntervalMs ? { cursorIntervalMs: options.cursorIntervalMs } : {}),
    });
    media.on('signal', (payload) => options.sendSignal(payload));
    media.on('input', (data, stream) => {
      if (this.#dispatcher) this.#dispatcher.handle(data, stream);
      else if (this.#pendingInput.length < MAX_PENDING_INPUT) this.#pendingInput.push([data, stream]);
    });
    media.on('control', (data) => this.#control.handle(data));
    media.on('channelopen', (label) => label === 'control' && this.#control.open());
    media.on('frame', (frame) => options.onFrame(frame));
    media.on('error', (error) => options.onProblem?.('media', error));
    media.on('connectionstatechange', (state) => {
      if (state === 'connected') {
        this.#failures = 0;
        options.onState('connected');
      }
      if (state === 'failed') {
        options.onState('failed');
        this.#retryAfterFailure();
      }
    });
  }

  /** The displays, as the protocol describes them, and the one shared. */
  displays(): { displays: ReturnType<typeof wireDisplay>[]; current: string } {
    return { displays: this.#media.displays().map(wireDisplay), current: this.#media.display.id };
  }

  /** Sends the offer and prepares input injection at the same time. */
  async start(): Promise<void> {
    this.#o.onState('connecting');
    // Input is needed only once the channels open: prepare it while the offer goes out.
    const input = this.#o.injector(this.#media.display).then(
      (injector) => this.#useInjector(injector),
      (error: unknown) => this.#o.onProblem?.('input injection (the session stays view-only)', error),
    );
    await Promise.all([this.#media.start(), input]);
    this.#started = true;
    for (const payload of this.#pendingSignals.splice(0)) this.#deliver(payload);
  }

  /** A payload from the helper. */
  handleSignal(payload: SignalPayload): void {
    if (this.#started) this.#deliver(payload);
    else if (this.#pendingSignals.length < MAX_PENDING_SIGNALS) this.#pendingSignals.push(payload);
  }

  /** Replaces the peer connection unless it is up (after the signaling connection came back). */
  recover(state: MediaState): void {
    if (this.#started && state !== 'connected') this.#deliver({ kind: 'restart' });
  }

  /** Lets go of every key and button held by the helper. */
  releaseAll(): void {
    this.#injector?.releaseAll();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#control.close();
    this.#pendingInput = [];
    this.#pendingSignals = [];
    const injector = this.#injector;
    this.#injector = null;
    this.#dispatcher = null;
    injector?.releaseAll();
    await Promise.allSettled([this.#media.close(), injector?.close()]);
  }

  #useInjector(injector: InputInjector): void {
    if (this.#closed) {
      void injector.close();
      return;
    }
    this.#injector = injector;
    const dispatcher = new InputDispatcher(this.#o.gate, injector);
    this.#dispatcher = dispatcher;
    for (const [data, stream] of this.#pendingInput.splice(0)) dispatcher.handle(data, stream);
  }

  #deliver(payload: SignalPayload): void {
    // `restart`: the helper has no connection (it reloaded): a fresh one, not an ICE restart.
    const done = payload.kind === 'restart' ? this.#renegotiate() : this.#media.handleSignal(payload);
    done.catch((error: unknown) => this.#o.onProblem?.('signaling', error));
  }

  async #renegotiate(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#o.onState('connecting');
    await this.#media.renegotiate();
  }

  /** A failed connection is replaced, after 1, 2, 4… (at most 10) seconds. */
  #retryAfterFailure(): void {
    clearTimeout(this.#retryTimer);
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.#failures++);
    this.#retryTimer = setTimeout(() => {
      if (!this.#closed) void this.#renegotiate().catch((e: unknown) => this.#o.onProblem?.('reconnecting', e));
    }, delay);
    this.#retryTimer.unref();
  }

  async #selectDisplay(id: string): Promise<void> {
    try {
      const display = await this.#media.selectDisplay(id);
      const previous = this.#injector;
      if (previous && previous.display.id !== display.id) {
        previous.releaseAll();
        this.#useInjector(await this.#o.injector(display));
        await previous.close();
      }
      this.#control.sendDisplays();
      this.#o.onDisplay();
    } catch (error) {
      this.#o.onProblem?.('switching display', error);
    }
  }
}
