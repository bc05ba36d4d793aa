/**
 * @module session/sharingSession
 * The controller of one sharing session on the agent: redeems the code, follows the
 * server's `session` pushes, starts the media when the session becomes `active` and
 * stops it when it ends, routes `input` through the consent gate and `control` through
 * the control link. The gate follows the server's mode (`active` + `mode`, else null);
 * local consent comes only from the user's Allow of a `control` request, and
 * Stop control revokes it before anything else happens.
 */
import { EventEmitter } from 'node:events';
import type { IceServer, Role, SessionMode, SessionView, SignalPayload } from '@remote-help/protocol';
import { ConsentGate } from '../input/consentGate.js';
import type { DesktopServices, DisplayInfo, InputInjector, Point, ScreenFrame } from '../platform/types.js';
import { ActiveMedia, type MediaState } from './activeMedia.js';
import { ApiError, type ApiClient } from './apiClient.js';
import type { wireDisplay } from './controlLink.js';
import type { LiveMedia } from './screenShare.js';

/** How far the WebRTC side has got (re-exported for the app). */
export type { MediaState } from './activeMedia.js';

/** The part of `SignalingClient` the session uses. */
export interface SessionSignaling {
  readonly iceServers: IceServer[];
  attach(sessionId: string): void;
  detach(sessionId: string): void;
  sendSignal(sessionId: string, payload: SignalPayload): boolean;
  on(event: 'session', listener: (session: SessionView) => void): unknown;
  on(event: 'signal', listener: (sessionId: string, from: Role, payload: SignalPayload) => void): unknown;
  /** The connection is (back) up; signals sent while it was down were lost. */
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'session' | 'signal' | 'ready', listener: (...args: never[]) => void): unknown;
}

/** The collaborators of a `SharingSession` (real ones in `AgentApp`, fakes in tests). */
export interface SharingSessionOptions {
  api: Pick<ApiClient, 'redeem' | 'respond' | 'dropControl' | 'leave'>;
  signaling: SessionSignaling;
  /** Builds the media pipeline when the session becomes active. */
  media(options: { displayId: string | undefined; iceServers: IceServer[] }): Promise<LiveMedia>;
  /** Creates the input injector for a display. */
  injector(display: DisplayInfo): Promise<InputInjector>;
  /** Pointer position and the stop-control hotkey (optional). */
  desktop?: DesktopServices | null;
  /** Display to share first (default: primary). */
  displayId?: string | undefined;
  cursorIntervalMs?: number;
  /** Called with unexpected failures (logging); never with input contents. */
  onProblem?: (what: string, error: unknown) => void;
}

/** Everything the UI needs to know about the session. */
export interface SharingSnapshot {
  session: SessionView | null;
  media: MediaState;
  /** Whether helper input is injected right now. */
  controlActive: boolean;
  laser: Point | null;
  displays: ReturnType<typeof wireDisplay>[];
  currentDisplay: string | null;
  /** Whether Ctrl+Alt+Shift+S stops control right now. */
  hotkey: boolean;
}

/** Events of `SharingSession`. */
export interface SharingSessionEvents {
  change: [];
  /** A captured frame, for the preview (the buffer is reused: copy before returning). */
  frame: [frame: ScreenFrame];
}

/** One session of the signed-in sharer, from code to end. */
export class SharingSession extends EventEmitter<SharingSessionEvents> {
  readonly gate: ConsentGate;
  readonly #o: SharingSessionOptions;
  #session: SessionView | null = null;
  #active: ActiveMedia | null = null;
  #mediaState: MediaState = 'none';
  #starting: Promise<void> | null = null;
  #laser: Point | null = null;
  #laserTimer: NodeJS.Timeout | undefined;
  #ungrabHotkey: Promise<(() => Promise<void>) | null> | null = null;
  #hotkey = false;
  readonly #onSession = (view: SessionView): void => this.#apply(view);
  readonly #onSignal = (sessionId: string, _from: Role, payload: SignalPayload): void => {
    if (sessionId === this.#session?.id) this.#active?.handleSignal(payload);
  };
  readonly #onReady = (): void => this.#active?.recover(this.#mediaState);

  constructor(options: SharingSessionOptions) {
    super();
    this.#o = options;
    this.gate = new ConsentGate({ releaseAll: () => this.#active?.releaseAll() });
    this.gate.onChange(() => this.emit('change'));
    options.signaling.on('session', this.#onSession);
    options.signaling.on('signal', this.#onSignal);
    options.signaling.on('ready', this.#onReady);
  }

  /** The session as the server last described it (null before a code was redeemed). */
  get session(): SessionView | null {
    return this.#session;
  }

  snapshot(): SharingSnapshot {
    const displays = this.#active?.displays();
    return {
      session: this.#session,
      media: this.#mediaState,
      controlActive: this.gate.allowed,
      laser: this.#laser,
      displays: displays?.displays ?? [],
      currentDisplay: displays?.current ?? null,
      hotkey: this.#hotkey,
    };
  }

  /** Redeems the helper's 8-digit code as the native agent. */
  async redeem(code: string): Promise<SessionView> {
    if (this.#session && this.#session.state !== 'ended') throw new Error('A session is already in progress');
    return this.adopt(await this.#o.api.redeem(code));
  }

  /** Takes over a session this device already joined as the sharer (an accepted remote launch). */
  adopt(view: SessionView): SessionView {
    if (this.#session && this.#session.state !== 'ended') throw new Error('A session is already in progress');
    this.#session = null;
    this.#apply(view);
    this.#o.signaling.attach(view.id);
    return view;
  }

  /**
   * The user's answer to the pending request. Allowing `control` is the only source of
   * local consent. `seen` is the request the user was shown: when another one is
   * pending, nothing is answered (`invalid_transition`).
   */
  async respond(allow: boolean, seen?: SessionMode): Promise<void> {
    const session = this.#requireSession();
    if (seen !== undefined && session.pendingMode !== seen) {
      throw new ApiError('invalid_transition', 'The request changed; look at it again.');
    }
    const controlAsked = session.pendingMode === 'control';
    if (controlAsked) this.gate.setLocalConsent(allow);
    try {
      this.#apply(await this.#o.api.respond(session.id, allow));
    } catch (error) {
      if (controlAsked) this.gate.setLocalConsent(false);
      throw error;
    }
  }

  /** Stop control: input stops before this returns to the event loop; then the server is told. */
  async stopControl(): Promise<void> {
    this.gate.revoke();
    const session = this.#session;
    if (!session || session.state !== 'active' || session.mode !== 'control') return;
    this.#apply(await this.#o.api.dropControl(session.id));
  }

  /** Leaves the session: sharing stops locally at once, then the server is told. */
  async leave(): Promise<void> {
    const session = this.#session;
    if (!session || session.state === 'ended') return;
    await this.#teardown();
    try {
      this.#apply(await this.#o.api.leave(session.id));
    } catch (error) {
      this.#apply({
        ...session,
        state: 'ended',
        endReason: 'sharer_left',
        pendingMode: null,
        version: session.version + 1,
      });
      throw error;
    }
  }

  /** Forgets an ended session so a new code can be entered. */
  reset(): void {
    if (this.#session?.state !== 'ended') return;
    this.#session = null;
    this.emit('change');
  }

  /** Stops everything and stops listening (the session itself is not left: call `leave` first). */
  async dispose(): Promise<void> {
    this.#o.signaling.off('session', this.#onSession);
    this.#o.signaling.off('signal', this.#onSignal);
    this.#o.signaling.off('ready', this.#onReady);
    await this.#teardown();
  }

  #requireSession(): SessionView {
    if (!this.#session) throw new Error('No session');
    return this.#session;
  }

  #apply(view: SessionView): void {
    const current = this.#session;
    if (current && current.id !== view.id) return;
    if (current?.state === 'ended') return; // terminal: a late reply must not revive it
    if (current && view.version < current.version) return; // a REST reply older than a push
    this.#session = view;
    this.gate.setSessionMode(view.state === 'active' ? view.mode : null);
    if (view.state === 'active') this.#ensureMedia();
    if (view.state === 'ended') void this.#teardown();
    this.#syncHotkey(view.state === 'active' && view.mode === 'control');
    this.emit('change');
  }

  #ensureMedia(): void {
    if (this.#active || this.#starting) return;
    this.#setMediaState('starting');
    this.#starting = this.#startMedia()
      .catch((error: unknown) => {
        this.#setMediaState('failed');
        this.#o.onProblem?.('starting the screen share', error);
      })
      .finally(() => {
        this.#starting = null;
      });
  }

  async #startMedia(): Promise<void> {
    const sessionId = this.#requireSession().id;
    const media = await this.#o.media({ displayId: this.#o.displayId, iceServers: this.#o.signaling.iceServers });
    const desktop = this.#o.desktop;
    const active = new ActiveMedia({
      media,
      gate: this.gate,
      injector: this.#o.injector,
      pointer: desktop ? () => desktop.pointerPosition() : undefined,
      sendSignal: (payload) => this.#o.signaling.sendSignal(sessionId, payload),
      onState: (state) => this.#setMediaState(state),
      onLaser: (position) => this.#setLaser(position),
      onFrame: (frame) => this.emit('frame', frame),
      onDisplay: () => this.emit('change'),
      onProblem: this.#o.onProblem,
      cursorIntervalMs: this.#o.cursorIntervalMs,
    });
    this.#active = active;
    if (this.#session?.state !== 'active') return; // ended while starting: teardown closes it
    await active.start();
  }

  #setLaser(position: Point | null): void {
    this.#laser = position;
    clearTimeout(this.#laserTimer);
    // A helper that vanished without laserOff must not leave the marker behind.
    if (position) this.#laserTimer = setTimeout(() => this.#setLaser(null), 5000).unref();
    this.emit('change');
  }

  #setMediaState(state: MediaState): void {
    if (this.#mediaState === state) return;
    this.#mediaState = state;
    this.emit('change');
  }

  #syncHotkey(wanted: boolean): void {
    const desktop = this.#o.desktop;
    if (!desktop || wanted === (this.#ungrabHotkey !== null)) return;
    if (wanted) {
      this.#ungrabHotkey = desktop
        .grabStopHotkey(() => void this.stopControl().catch((e: unknown) => this.#o.onProblem?.('stop control', e)))
        .catch(() => null);
      void this.#ungrabHotkey.then((ungrab) => {
        this.#hotkey = ungrab !== null;
        this.emit('change');
      });
    } else {
      const pending = this.#ungrabHotkey;
      this.#ungrabHotkey = null;
      this.#hotkey = false;
      void pending?.then((ungrab) => ungrab?.()).catch(() => undefined);
    }
  }

  async #teardown(): Promise<void> {
    this.gate.setSessionMode(null);
    this.#syncHotkey(false);
    await this.#starting;
    const { id } = this.#session ?? {};
    if (id) this.#o.signaling.detach(id);
    const active = this.#active;
    this.#active = null;
    clearTimeout(this.#laserTimer);
    this.#laser = null;
    if (active) {
      active.releaseAll();
      this.#setMediaState('none');
      await active.close();
    }
    this.emit('change');
  }
}
