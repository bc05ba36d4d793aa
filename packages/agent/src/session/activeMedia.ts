/**
 * @module session/activeMedia
 * Everything that exists only while a session is active: the media pipeline, the
 * input injector and dispatcher for the shared display, and the control link. Signals
 * and input that arrive before their consumer is ready are kept (bounded) and replayed;
 * replayed input still goes through the consent gate at that moment.
 *
 * The connection may be set up earlier, while the sharer reads the request (`connect`,
 * ADR 0023): until `start` (the sharer allowed) nothing is captured, the control link
 * says nothing and hears nothing, no injector exists and input is dropped, not kept.
 */
import { ICE_RESTART_RETRY_MS, type SignalPayload } from '@remote-help/protocol';
import type { ConsentGate } from '../input/consentGate.js';
import { sameDisplay } from '../capture/rects.js';
import { InputDispatcher, type DispatchPosition } from '../input/inputDispatcher.js';
import type { CursorShape, DisplayInfo, InputInjector, Point, ScreenFrame } from '../platform/types.js';
import { trace } from '../trace.js';
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

/** Media problems of one session written to the log; the rest are counted, not written. */
export const MEDIA_PROBLEMS_LOGGED = 20;
export type MediaState = 'none' | 'starting' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** The pipeline, the gate and the callbacks of one active session. */
export interface ActiveMediaOptions {
  media: LiveMedia;
  gate: ConsentGate;
  injector(display: DisplayInfo): Promise<InputInjector>;
  /** The local pointer (global pixels); absent: no cursor messages. */
  pointer?: (() => Promise<Point | null>) | undefined;
  /** Reports each pointer move (`DesktopServices.watchPointer`); absent or null: `pointer` is polled. */
  watchPointer?: ((onMove: (point: Point | null) => void) => (() => void) | null) | undefined;
  /** Reports what the pointer looks like (`DesktopServices.watchCursorShape`); absent or null: no shapes. */
  watchCursorShape?: ((onShape: (shape: CursorShape | null) => void) => (() => void) | null) | undefined;
  /** Sends a payload to the helper; false when it could not leave (signaling is reconnecting). */
  sendSignal(payload: SignalPayload): boolean;
  onState(state: MediaState): void;
  onLaser(position: Point | null): void;
  onFrame(frame: ScreenFrame): void;
  /** The shared display changed. */
  onDisplay(): void;
  onProblem?: ((what: string, error: unknown) => void) | undefined;
  /** The connection's path died (network change): the signaling socket probably died with it. */
  onPathDown?: (() => void) | undefined;
  /** The heartbeat's verdict on the path, for the server (a path down for the grace ends the session). */
  onPath?: ((state: 'up' | 'down') => void) | undefined;
  cursorIntervalMs?: number | undefined;
  /** Capture stopped because the display went away (input is dropped with it). */
  onCaptureLost?: ((error: Error) => void) | undefined;
  /** The connection check of each negotiation (see `AgentPeer`'s `check`). */
  onCheck?: ((check: string) => void) | undefined;
}

/** The media, input and control of one active session. */
export class ActiveMedia {
  readonly #o: ActiveMediaOptions;
  readonly #media: LiveMedia;
  readonly #control: ControlLink;
  #injector: InputInjector | null = null;
  #dispatcher: InputDispatcher | null = null;
  /** The offer went out: the helper's signals are delivered, not kept. */
  #started = false;
  /** `start` was called: the sharer allowed, capture and input may run. */
  #consented = false;
  /** The current `control` channel is open (the link speaks on it only once consented). */
  #controlOpen = false;
  /** The control link was opened on the current channel (its opening messages went out). */
  #controlOpened = false;
  #connecting: Promise<void> | null = null;
  #closed = false;
  #pendingSignals: SignalPayload[] = [];
  /** Input that came while there was no injector, and whether consent held when it came. */
  #pendingInput: [string | ArrayBuffer, number, boolean][] = [];
  /** Where the last dispatcher's numbering stood: its successor on the same connections goes on from there. */
  #position: DispatchPosition | null = null;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #pathDown = false;
  #lastIceRestartAt = -Infinity;
  #iceRestartTimer: NodeJS.Timeout | undefined;
  /** A signal of the current negotiation could not leave: the helper cannot answer it. */
  #signalLost = false;
  readonly #unfollowGate: () => void;

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
      watchPointer: options.watchPointer,
      watchCursorShape: options.watchCursorShape,
      onLaser: options.onLaser,
      onSelectDisplay: (id) => void this.#selectDisplay(id),
      ...(options.cursorIntervalMs ? { cursorIntervalMs: options.cursorIntervalMs } : {}),
    });
    media.on('signal', (payload) => {
      if (!options.sendSignal(payload)) this.#signalLost = true;
    });
    media.on('input', (data, stream) => {
      // Before Allow there is nothing to inject, now or later: input sent then is dropped.
      if (!this.#consented) return;
      if (this.#dispatcher) this.#dispatcher.handle(data, stream);
      // Kept with whether the gate was open (it is asked again on replay): one that came while it
      // was closed is never injected, but still counts in the numbering, so that what follows it
      // does not wait for it.
      else if (this.#pendingInput.length < MAX_PENDING_INPUT) {
        this.#pendingInput.push([data, stream, options.gate.allowed]);
      }
    });
    // Input kept for the injector is dropped when consent ends: it would otherwise be injected
    // if consent came back before the injector was ready (a Resume after a Pause).
    this.#unfollowGate = options.gate.onChange((allowed) => {
      if (!allowed) this.#pendingInput = this.#pendingInput.map(([data, stream]) => [data, stream, false]);
    });
    // Before Allow only the helper's `cursorCache` is taken (it comes as the channel opens).
    media.on('control', (data) => this.#control.handle(data, this.#consented));
    media.on('channelopen', (label) => {
      if (label !== 'control') return;
      this.#control.channelOpened();
      this.#controlOpen = true;
      if (this.#consented) this.#openControl();
    });
    media.on('frame', (frame) => options.onFrame(frame));
    // What the helper sends is the helper's to get right: a peer that sends malformed messages
    // without pause gets a few lines in the log, then one saying the rest are not written.
    let problems = 0;
    media.on('error', (error) => {
      problems += 1;
      if (problems <= MEDIA_PROBLEMS_LOGGED) options.onProblem?.('media', error);
      else if (problems === MEDIA_PROBLEMS_LOGGED + 1) {
        options.onProblem?.('media', new Error('more problems of this session’s media are not logged'));
      }
    });
    media.on('captureLost', (error) => this.#onCaptureLost(error));
    media.on('displays', (shared) => this.#displaysChanged(shared));
    media.on('path', (state) => this.#onPath(state));
    media.on('check', (check) => options.onCheck?.(check));
    media.on('connectionstatechange', (state) => {
      if (state === 'new') {
        // A fresh connection: its channel opens again.
        this.#controlOpen = false;
        this.#controlOpened = false;
      }
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

  /**
   * Before consent: sends the offer and lets ICE, DTLS and SCTP come up, capturing
   * nothing, so that after Allow the first picture costs one round trip. A pipeline
   * without `connect` waits for `start`.
   */
  async connect(): Promise<void> {
    const connect = this.#media.connect?.bind(this.#media);
    if (!connect || this.#closed) return;
    this.#connecting ??= (async () => {
      this.#o.onState('connecting');
      await connect();
      this.#offered();
    })();
    await this.#connecting;
  }

  /**
   * The sharer clicked Allow; the server has not answered yet: the screen is read meanwhile
   * (the first frame is ready when the answer comes), nothing leaves until `start`.
   */
  readyCapture(): void {
    if (!this.#consented && !this.#closed) this.#media.readyCapture?.();
  }

  /** The Allow did not go through: the capture `readyCapture` started stops. */
  async cancelCapture(): Promise<void> {
    if (!this.#consented && !this.#closed) await this.#media.cancelCapture?.();
  }

  /** Whether the connection was set up before consent (or is being). */
  get connected(): boolean {
    return this.#connecting !== null;
  }

  /** Whether `start` ran: capture and input follow the session. */
  get consented(): boolean {
    return this.#consented;
  }

  /**
   * The sharer allowed: capture starts (and the offer goes, unless `connect` sent it),
   * the control link speaks, input injection is prepared at the same time.
   */
  async start(): Promise<void> {
    if (this.#consented || this.#closed) return;
    this.#consented = true;
    if (!this.#connecting) this.#o.onState('connecting');
    // Input is needed only once the channels open: prepare it while the offer goes out.
    const input = this.#o.injector(this.#media.display).then(
      (injector) => this.#useInjector(injector),
      (error: unknown) => this.#o.onProblem?.('input injection (the session stays view-only)', error),
    );
    // The first picture goes first; the helper needs nothing else to paint it. The control
    // channel's opening messages (the display list, the control state, the pointer) are each a
    // blocking call into libwebrtc's threads: on a busy machine, sent before the capture
    // started, they held the first frame back by up to 15 ms.
    const media = this.#media.start();
    const openControl = () => {
      if (this.#controlOpen && !this.#controlOpened && !this.#closed) this.#openControl();
    };
    media.then(openControl, openControl);
    await Promise.all([media, input]);
    this.#offered();
  }

  /** Opens the control link once per connection of its channel. */
  #openControl(): void {
    this.#controlOpened = true;
    this.#control.open();
  }

  #offered(): void {
    if (this.#started || this.#closed) return;
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
    if (this.#started && this.#pathDown) this.#restartIce(false);
    else if (this.#started && state !== 'connected') this.#deliver({ kind: 'restart' });
  }

  /** The sharer paused or resumed: the pixel path follows (the gate is the session's). */
  setPaused(paused: boolean): void {
    this.#media.setPaused(paused);
  }

  /**
   * After a lost display: tries to capture again; true once capture runs. Input comes
   * back through a new injector on the new display; if the platform cannot make one,
   * the session stays view-only.
   */
  async recoverDisplay(): Promise<boolean> {
    if (this.#closed || !(await this.#media.recoverCapture())) return false;
    if (!this.#closed && !this.#injector) {
      await this.#o.injector(this.#media.display).then(
        (injector) => this.#useInjector(injector),
        (error: unknown) => this.#o.onProblem?.('input injection after the display came back', error),
      );
    }
    this.#control.sendDisplays();
    return true;
  }

  /** Whether helper input can be injected at all (an injector exists). */
  get canInject(): boolean {
    return this.#injector !== null;
  }

  /** Lets go of every key and button held by the helper. */
  releaseAll(): void {
    this.#injector?.releaseAll();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#iceRestartTimer);
    this.#control.close();
    this.#unfollowGate();
    this.#pendingInput = [];
    this.#pendingSignals = [];
    const injector = this.#injector;
    this.#injector = null;
    this.#dropDispatcher();
    injector?.releaseAll();
    await Promise.allSettled([this.#media.close(), injector?.close()]);
  }

  /** The display being shared. */
  get display(): DisplayInfo {
    return this.#media.display;
  }

  /** The display is gone: its injector is dropped without touching it (its X connection is dead). */
  #onCaptureLost(error: Error): void {
    const injector = this.#injector;
    this.#injector = null;
    this.#dropDispatcher();
    void (injector?.abandon ? injector.abandon() : injector?.close())?.catch(() => undefined);
    this.#o.onCaptureLost?.(error);
  }

  #useInjector(injector: InputInjector): void {
    if (this.#closed) {
      void injector.close();
      return;
    }
    this.#injector = injector;
    this.#dropDispatcher();
    const dispatcher = new InputDispatcher(this.#o.gate, injector);
    if (this.#position) dispatcher.continueFrom(this.#position);
    this.#dispatcher = dispatcher;
    for (const [data, stream, allowed] of this.#pendingInput.splice(0)) {
      dispatcher.handle(data, stream, { refused: !allowed });
    }
  }

  /** The dispatcher's injector goes away: a text it is typing stops before its next key. */
  #dropDispatcher(): void {
    if (this.#dispatcher) this.#position = this.#dispatcher.position();
    this.#dispatcher?.dispose();
    this.#dispatcher = null;
  }

  #deliver(payload: SignalPayload): void {
    if (payload.kind === 'restart' && payload.ice === true) {
      this.#restartIce(false);
      return;
    }
    // `restart`: the helper has no connection (it reloaded): a fresh one, not an ICE restart.
    const done = payload.kind === 'restart' ? this.#renegotiate() : this.#media.handleSignal(payload);
    done.catch((error: unknown) => this.#o.onProblem?.('signaling', error));
  }

  async #renegotiate(): Promise<void> {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#iceRestartTimer);
    this.#pathDown = false;
    this.#o.onState('connecting');
    await this.#media.renegotiate();
  }

  /**
   * The heartbeat saw the path die (or come back). Dead: reconnecting is shown, the
   * signaling socket is refreshed (`onPathDown`) and ICE restarts on the same connection.
   */
  #onPath(state: string): void {
    if (this.#closed) return;
    trace('net', () => `path ${state}`);
    if (state === 'up' || state === 'down') this.#o.onPath?.(state);
    if (state === 'down') {
      this.#pathDown = true;
      this.#o.onState('reconnecting');
      this.#o.onPathDown?.();
      this.#restartIce(false);
    } else if (state === 'up' && this.#pathDown) {
      this.#pathDown = false;
      clearTimeout(this.#iceRestartTimer);
      this.#o.onState('connected');
    }
  }

  /**
   * An ICE restart offer, again every {@link ICE_RESTART_RETRY_MS} while the path stays
   * down. Other triggers (signaling back, the helper's request) within that time wait for
   * the pending one: an answer to an older offer applied to a newer one would leave ICE
   * with the wrong credentials. Unless the pending offer or one of its candidates never
   * left (the signaling socket died with the path, as it does when the address changes):
   * no answer can come, so waiting out the retry only delays the picture (by 2–5 s).
   */
  #restartIce(force: boolean): void {
    const restart = this.#media.restartIce?.bind(this.#media);
    if (this.#closed || !restart) return;
    const now = performance.now();
    if (!force && this.#signalLost) trace('net', () => 'ICE restart now: the last offer did not reach the helper');
    else if (!force && now - this.#lastIceRestartAt < ICE_RESTART_RETRY_MS) {
      trace('net', () => `ICE restart skipped: the last one was ${Math.round(now - this.#lastIceRestartAt)} ms ago`);
      return;
    }
    trace('net', () => `ICE restart${force ? ' (retry)' : ''}`);
    this.#lastIceRestartAt = now;
    this.#signalLost = false;
    clearTimeout(this.#iceRestartTimer);
    this.#iceRestartTimer = setTimeout(() => {
      if (this.#pathDown) this.#restartIce(true);
    }, ICE_RESTART_RETRY_MS);
    this.#iceRestartTimer.unref();
    restart().catch((error: unknown) => this.#o.onProblem?.('restarting ICE', error));
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
      await this.#injectOn(await this.#media.selectDisplay(id));
      this.#control.sendDisplays();
      this.#o.onDisplay();
    } catch (error) {
      this.#o.onProblem?.('switching display', error);
    }
  }

  /**
   * The displays changed under the session (a resolution or layout change): input maps to
   * the shared display's new bounds at once (before its new picture reaches the helper), and
   * the helper gets the new list.
   */
  #displaysChanged(shared: boolean): void {
    const display = this.#media.display;
    const injector = this.#injector;
    if (shared && injector?.follow && injector.display.id === display.id) injector.follow(display);
    else if (shared)
      void this.#injectOn(display).catch((e: unknown) => this.#o.onProblem?.('following the display', e));
    if (this.#controlOpened) this.#control.sendDisplays();
    this.#o.onDisplay();
  }

  /** Input goes to `display` from now on (a new injector unless the current one maps to it already). */
  async #injectOn(display: DisplayInfo): Promise<void> {
    const previous = this.#injector;
    if (!previous || sameDisplay(previous.display, display)) return;
    previous.releaseAll();
    this.#useInjector(await this.#o.injector(display));
    await previous.close();
  }
}
