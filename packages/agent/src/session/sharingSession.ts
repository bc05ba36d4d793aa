/**
 * @module session/sharingSession
 * The controller of one sharing session on the agent: redeems the code, follows the
 * server's `session` pushes, sets up the connection while the sharer reads a request
 * (`requested`: no capture, no input; ADR 0023), starts the media when the session
 * becomes `active` and stops it when it ends (or the request goes away unanswered), routes `input` through the consent gate and `control` through
 * the control link. The gate follows the server's mode (`active` + `mode`, else null);
 * local consent comes only from the user's Allow of a `control` request, and
 * Stop control revokes it before anything else happens.
 *
 * The screen is shared only after the local user's Allow too: the server saying `active`
 * is not enough. The Allow of a request (view or control) in this session, with this helper,
 * is the agent's consent to share (`SharingConsent`); an agent restarted in a session gets it
 * back from its session memory (`adopt`). A session made active without it — a server
 * that skipped the request screen, whether buggy, malicious or compromised — is refused:
 * nothing is captured or offered, the session ends here at once (`refused` tells the window
 * why) and the server is told by a leave. Pause and Resume are local and need no new Allow.
 */
import { EventEmitter } from 'node:events';
import type { IceServer, Role, SessionMode, SessionView, SharerStatus, SignalPayload } from '@remote-help/protocol';
import { ConsentGate } from '../input/consentGate.js';
import type { DesktopServices, DisplayInfo, InputInjector, Point, ScreenFrame } from '../platform/types.js';
import { ActiveMedia, type MediaState } from './activeMedia.js';
import { ApiError, isApiError, type ApiClient } from './apiClient.js';
import type { wireDisplay } from './controlLink.js';
import type { LiveMedia } from './screenShare.js';
import { trace } from '../trace.js';

/** The sleep watch ticks this often; a tick this late means the process was stopped (sleep, SIGSTOP). */
const SLEEP_TICK_MS = 1000;
const SLEEP_GAP_MS = 5000;
/** After waking, how long the connection has to come back by itself before a new one is offered. */
export const WAKE_GRACE_MS = 5000;

/** How far the WebRTC side has got (re-exported for the app). */
export type { MediaState } from './activeMedia.js';

/** The part of `SignalingClient` the session uses. */
export interface SessionSignaling {
  readonly iceServers: IceServer[];
  attach(sessionId: string): void;
  detach(sessionId: string): void;
  sendSignal(sessionId: string, payload: SignalPayload): boolean;
  /** Tells the server this side's media path went down or came back. */
  sendPath?(sessionId: string, state: 'up' | 'down'): boolean;
  /** Moves to a fresh connection now (a network change killed the peer's path, and likely the socket). */
  refresh?(): void;
  on(event: 'session', listener: (session: SessionView) => void): unknown;
  on(event: 'signal', listener: (sessionId: string, from: Role, payload: SignalPayload) => void): unknown;
  /** The connection is (back) up; signals sent while it was down were lost. */
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'session' | 'signal' | 'ready', listener: (...args: never[]) => void): unknown;
}

/** The collaborators of a `SharingSession` (real ones in `AgentApp`, fakes in tests). */
export interface SharingSessionOptions {
  api: Pick<ApiClient, 'redeem' | 'respond' | 'dropControl' | 'leave'> & Partial<Pick<ApiClient, 'setSharerStatus'>>;
  signaling: SessionSignaling;
  /** Builds the media pipeline when the session becomes active. */
  media(options: { displayId: string | undefined; iceServers: IceServer[]; sessionId: string }): Promise<LiveMedia>;
  /** Creates the input injector for a display. */
  injector(display: DisplayInfo): Promise<InputInjector>;
  /** Pointer position and the stop-control hotkey (optional). */
  desktop?: DesktopServices | null;
  /** Display to share first (default: primary). */
  displayId?: string | undefined;
  cursorIntervalMs?: number;
  /** Called with unexpected failures (logging); never with input contents. */
  onProblem?: (what: string, error: unknown) => void;
  /** How often a lost display is looked for again (default 1 s). */
  displayRetryMs?: number;
}

/** Everything the UI needs to know about the session. */
export interface SharingSnapshot {
  session: SessionView | null;
  media: MediaState;
  /** The connection check to compare with the helper's (`connectionCheck` in the protocol), once negotiated. */
  check: string | null;
  /** Whether helper input is injected right now. */
  controlActive: boolean;
  laser: Point | null;
  displays: ReturnType<typeof wireDisplay>[];
  currentDisplay: string | null;
  /** Whether Ctrl+Alt+Shift+S stops control right now. */
  hotkey: boolean;
  /** The sharer paused sharing: no pixels leave, no input is injected. */
  paused: boolean;
  /** The shared display went away; capture resumes when it comes back. */
  displayLost: boolean;
  /** Helper input cannot be injected on this display any more (after a lost display, until a restart). */
  inputUnavailable: boolean;
}

/** Events of `SharingSession`. */
export interface SharingSessionEvents {
  change: [];
  /** A captured frame, for the preview (the buffer is reused: copy before returning). */
  frame: [frame: ScreenFrame];
  /** The server made the session active without the local user's Allow: it was ended here and left. */
  refused: [];
}

/**
 * The local user allowed sharing the screen (a request of either mode) in session
 * `sessionId` with helper `helperId`: what the agent needs before it captures anything.
 */
export interface SharingConsent {
  sessionId: string;
  helperId: string;
}

/** One session of the signed-in sharer, from code to end. */
export class SharingSession extends EventEmitter<SharingSessionEvents> {
  readonly gate: ConsentGate;
  readonly #o: SharingSessionOptions;
  #session: SessionView | null = null;
  /** The local user's Allow to share, for the session in progress (null: not given). */
  #consent: SharingConsent | null = null;
  #active: ActiveMedia | null = null;
  #mediaState: MediaState = 'none';
  /** The connection check of the current connection (null without one). */
  #check: string | null = null;
  #starting: Promise<void> | null = null;
  #laser: Point | null = null;
  #laserTimer: NodeJS.Timeout | undefined;
  #ungrabHotkey: Promise<(() => Promise<void>) | null> | null = null;
  #hotkey = false;
  /** The sharer's pause (see `pause`). */
  #paused = false;
  /** Capture lost its display; `#displayTimer` looks for it again. */
  #displayLost = false;
  #displayTimer: NodeJS.Timeout | undefined;
  #inputUnavailable = false;
  /** The status being posted, so only one `sharer-status` request runs at a time. */
  #statusPosting: SharerStatus | null = null;
  #statusRetry: NodeJS.Timeout | undefined;
  #sleepWatch: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
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
    this.#watchForSleep();
  }

  /** The session as the server last described it (null before a code was redeemed). */
  get session(): SessionView | null {
    return this.#session;
  }

  /** The local user's Allow to share in the session in progress (kept across a restart by the app). */
  get consent(): SharingConsent | null {
    return this.#consent ? { ...this.#consent } : null;
  }

  snapshot(): SharingSnapshot {
    const displays = this.#active?.displays();
    return {
      session: this.#session,
      media: this.#mediaState,
      check: this.#check,
      controlActive: this.gate.allowed,
      laser: this.#laser,
      displays: displays?.displays ?? [],
      currentDisplay: displays?.current ?? null,
      hotkey: this.#hotkey,
      paused: this.#paused,
      displayLost: this.#displayLost,
      inputUnavailable: this.#inputUnavailable,
    };
  }

  /** Redeems the helper's 8-digit code as the native agent. */
  async redeem(code: string): Promise<SessionView> {
    if (this.#session && this.#session.state !== 'ended') throw new Error('A session is already in progress');
    return this.adopt(await this.#o.api.redeem(code));
  }

  /**
   * Takes over a session this device already joined as the sharer (an accepted remote
   * launch), or was in before a restart. `consent`: the local user's Allow to share given
   * before the restart (from the session memory); it counts only for this session and
   * helper. Without it, a session that is already active is refused like any other
   * active session the user did not allow.
   */
  adopt(view: SessionView, consent: SharingConsent | null = null): SessionView {
    if (this.#session && this.#session.state !== 'ended') throw new Error('A session is already in progress');
    this.#session = null;
    this.#consent = consent && sameConsent(consent, view) ? { sessionId: view.id, helperId: view.helper.id } : null;
    const allowed = view.state !== 'active' || this.#allowsSharing(view);
    // A session left paused (the agent was restarted meanwhile) stays paused until the sharer resumes.
    this.#setPaused(allowed && view.state === 'active' && view.sharerStatus === 'paused');
    this.#apply(view);
    // Refused (active without the Allow): ended here, nothing to follow.
    if (allowed) this.#o.signaling.attach(view.id);
    return view;
  }

  /**
   * Pauses sharing: from now on no pixels leave this device and no input is injected
   * (the gate refuses it, whatever the server or the helper say); then the helper is
   * told (`sharer-status: paused`). The session, its mode and consent stay.
   */
  async pause(): Promise<void> {
    const session = this.#requireSession();
    if (session.state !== 'active') throw new ApiError('invalid_transition', 'Only an active session can be paused.');
    this.#setPaused(true);
    await this.#syncStatus();
  }

  /** Resumes a paused share: the whole picture is sent again, input follows the mode; no new Allow. */
  async resume(): Promise<void> {
    const session = this.#requireSession();
    if (session.state !== 'active') throw new ApiError('invalid_transition', 'Only an active session can be resumed.');
    this.#setPaused(false);
    await this.#syncStatus();
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
    // The user's Allow of either request is their consent to share the screen with this helper.
    const newConsent = allow && !this.#allowsSharing(session);
    if (newConsent) {
      this.#consent = { sessionId: session.id, helperId: session.helper.id };
      this.emit('change');
    }
    // Connected while the request was read: the first frame is read while the Allow goes to the
    // server (one round trip), and sent once the server has made the session active.
    const early = allow && session.state === 'requested' ? this.#active : null;
    early?.readyCapture();
    try {
      this.#apply(await this.#o.api.respond(session.id, allow));
    } catch (error) {
      if (controlAsked) this.gate.setLocalConsent(false);
      // Refused by the server: the session is not active, the Allow is taken back. Without an
      // answer it understood (offline), the server may have made it active: the user's Allow stands.
      if (newConsent && isApiError(error) && error.status >= 400) {
        this.#consent = null;
        this.emit('change');
      }
      void early?.cancelCapture().catch(() => undefined);
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
    clearInterval(this.#sleepWatch);
    clearTimeout(this.#wakeTimer);
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
    if (view.state === 'active' && !this.#allowsSharing(view)) {
      this.#refuse(view);
      return;
    }
    if (view.state !== current?.state) trace('net', () => `session ${view.state}`);
    this.#session = view;
    this.gate.setSessionMode(view.state === 'active' ? view.mode : null);
    if (view.state === 'active' || view.state === 'requested') this.#ensureMedia();
    // A connection set up for a request that went away without an answer is closed.
    if (view.state === 'joined' || view.state === 'waiting') void this.#closeMedia();
    if (view.state === 'ended') void this.#teardown();
    this.#syncHotkey(view.state === 'active' && view.mode === 'control');
    if (view.state === 'active') void this.#syncStatus().catch(() => undefined);
    this.emit('change');
  }

  /** Whether the local user allowed sharing in `view`'s session, with its helper. */
  #allowsSharing(view: SessionView): boolean {
    return this.#consent !== null && sameConsent(this.#consent, view);
  }

  /**
   * The server made the session active without the local user's Allow (or for another
   * helper): nothing is captured or offered. The session ends here at once (terminal: no
   * later push revives it), the window is told (`refused`), and the server is told by a
   * leave, so the helper is not left waiting for a picture.
   */
  #refuse(view: SessionView): void {
    const current = this.#session ?? view;
    trace('net', () => 'session active without the local Allow: refused');
    this.#o.onProblem?.(
      'the session',
      new Error('the server made the session active without the local user’s Allow; the agent left it'),
    );
    this.#session = {
      ...current,
      state: 'ended',
      mode: null,
      pendingMode: null,
      endReason: 'sharer_left',
      version: Math.max(current.version, view.version),
    };
    this.#consent = null;
    this.gate.setSessionMode(null);
    this.gate.setLocalConsent(false);
    void this.#teardown();
    this.#o.api
      .leave(view.id)
      .catch((error: unknown) => this.#o.onProblem?.('leaving a session active without the Allow', error));
    this.emit('refused');
    this.emit('change');
  }

  #setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    // The gate first: input stops before the pixels do.
    this.#paused = paused;
    this.gate.setPaused(paused);
    this.#active?.setPaused(paused);
    this.#drawLaser();
    this.emit('change');
  }

  /** What the sharer's device is doing, as the helper should be told. */
  #wantedStatus(): Exclude<SharerStatus, 'pending' | 'choosing'> | null {
    if (this.#paused) return 'paused';
    if (this.#displayLost) return 'unavailable';
    return this.#active?.consented ? 'sharing' : null;
  }

  /**
   * Brings the server's `sharerStatus` to what this device is doing: one request at a
   * time, again after each answer until they agree, again a second later after a failure.
   */
  async #syncStatus(): Promise<void> {
    const setStatus = this.#o.api.setSharerStatus?.bind(this.#o.api);
    if (!setStatus || this.#statusPosting) return;
    for (let round = 0; round < 4; round++) {
      const session = this.#session;
      const wanted = this.#wantedStatus();
      if (!session || session.state !== 'active' || !wanted || session.sharerStatus === wanted) return;
      this.#statusPosting = wanted;
      try {
        this.#apply(await setStatus(session.id, wanted));
      } catch (error) {
        clearTimeout(this.#statusRetry);
        if (!isApiError(error, 'session_ended') && !isApiError(error, 'invalid_transition')) {
          this.#statusRetry = setTimeout(() => void this.#syncStatus().catch(() => undefined), 1000).unref();
        }
        throw error;
      } finally {
        this.#statusPosting = null;
      }
    }
  }

  /** Capture lost its display: input stops, the helper is told, and the display is looked for every second. */
  #onCaptureLost(error: Error): void {
    this.#o.onProblem?.('the shared display', error);
    this.#displayLost = true;
    this.gate.setDisplayUnavailable(true);
    this.emit('change');
    void this.#syncStatus().catch(() => undefined);
    clearInterval(this.#displayTimer);
    let trying = false;
    this.#displayTimer = setInterval(() => {
      const active = this.#active;
      if (trying || !active) return;
      trying = true;
      void active
        .recoverDisplay()
        .then((back) => {
          if (!back || this.#active !== active) return;
          clearInterval(this.#displayTimer);
          this.#displayLost = false;
          this.#inputUnavailable = !active.canInject;
          this.gate.setDisplayUnavailable(false);
          // Full control cannot continue without an injector: the helper is told by the mode.
          if (this.#inputUnavailable && this.#session?.mode === 'control') {
            void this.stopControl().catch((e: unknown) => this.#o.onProblem?.('stop control', e));
          }
          this.emit('change');
          void this.#syncStatus().catch(() => undefined);
        })
        .finally(() => {
          trying = false;
        });
    }, this.#o.displayRetryMs ?? 1000);
    this.#displayTimer.unref();
  }

  /**
   * Brings the media to what the session allows: a connection without capture while a
   * request is read, capture and input once active. One step at a time; each step looks
   * at the session again when it is done.
   */
  #ensureMedia(): void {
    if (this.#starting || this.#active?.consented) return;
    if (this.#active && this.#session?.state !== 'active') return; // connected early already
    if (!this.#active) this.#setMediaState('starting');
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
    const active = this.#active ?? (await this.#openMedia());
    if (this.#active === active && this.#session?.state === 'requested' && !active.connected) await active.connect();
    // Closed meanwhile (ended, or the request went away); or still waiting for the Allow.
    if (this.#active !== active || this.#session?.state !== 'active') return;
    await active.start();
    void this.#syncStatus().catch(() => undefined);
  }

  /** Builds the pipeline for the session (nothing captured, nothing offered yet). */
  async #openMedia(): Promise<ActiveMedia> {
    const sessionId = this.#requireSession().id;
    const media = await this.#o.media({
      displayId: this.#o.displayId,
      iceServers: this.#o.signaling.iceServers,
      sessionId,
    });
    const desktop = this.#o.desktop;
    const active = new ActiveMedia({
      media,
      gate: this.gate,
      injector: this.#o.injector,
      pointer: desktop ? () => desktop.pointerPosition() : undefined,
      watchPointer: desktop?.watchPointer ? (onMove) => desktop.watchPointer?.(onMove) ?? null : undefined,
      watchCursorShape: desktop?.watchCursorShape
        ? (onShape) => desktop.watchCursorShape?.(onShape) ?? null
        : undefined,
      sendSignal: (payload) => this.#o.signaling.sendSignal(sessionId, payload),
      onState: (state) => this.#setMediaState(state),
      onLaser: (position) => this.#setLaser(position),
      onFrame: (frame) => this.emit('frame', frame),
      onDisplay: () => this.emit('change'),
      onProblem: this.#o.onProblem,
      cursorIntervalMs: this.#o.cursorIntervalMs,
      onCaptureLost: (error) => this.#onCaptureLost(error),
      onPathDown: () => this.#o.signaling.refresh?.(),
      onPath: (state) => this.#o.signaling.sendPath?.(sessionId, state),
      onCheck: (check) => {
        if (this.#active !== active || this.#check === check) return;
        this.#check = check;
        this.emit('change');
      },
    });
    active.setPaused(this.#paused);
    this.#active = active;
    return active;
  }

  /**
   * Closes a connection set up for a request that is no longer pending (the session is
   * `joined` again); the session stays attached. Ending goes through `#teardown`.
   */
  async #closeMedia(): Promise<void> {
    await this.#starting;
    const active = this.#active;
    if (!active || this.#session?.state === 'active' || this.#session?.state === 'requested') return;
    this.#active = null;
    this.#setMediaState('none');
    await active.close();
    this.emit('change');
  }

  #setLaser(position: Point | null): void {
    this.#laser = position;
    clearTimeout(this.#laserTimer);
    // A helper that vanished without laserOff must not leave the marker behind.
    if (position) this.#laserTimer = setTimeout(() => this.#setLaser(null), 5000).unref();
    this.#drawLaser();
    this.emit('change');
  }

  /**
   * The laser on the sharer's own desktop too (where the platform can draw over every
   * window): at the normalized position on the shared display, hidden while paused (the
   * helper sees no picture then) and when the media ends.
   */
  #drawLaser(): void {
    const show = this.#o.desktop?.showLaser;
    if (!show) return;
    const at = this.#laser;
    const bounds = this.#active?.display.bounds;
    const point =
      at && bounds && !this.#paused ? { x: bounds.x + at.x * bounds.width, y: bounds.y + at.y * bounds.height } : null;
    void show.call(this.#o.desktop, point).catch((error: unknown) => this.#o.onProblem?.('drawing the laser', error));
  }

  /**
   * Sleep and wake (a suspended laptop, SIGSTOP): the event loop stood still. The
   * signaling socket notices by itself (stale) and the path heartbeat restarts ICE; if
   * the connection is still not up {@link WAKE_GRACE_MS} after waking, its ICE is taken
   * for dead and a new peer connection is offered.
   */
  #watchForSleep(): void {
    let last = Date.now();
    this.#sleepWatch = setInterval(() => {
      const now = Date.now();
      const gap = now - last;
      last = now;
      if (gap < SLEEP_GAP_MS) return;
      this.#o.onProblem?.('waking up', new Error(`the agent was stopped for ${Math.round(gap / 1000)} s`));
      clearTimeout(this.#wakeTimer);
      this.#wakeTimer = setTimeout(() => {
        if (this.#active && this.#mediaState !== 'connected') this.#active.handleSignal({ kind: 'restart' });
      }, WAKE_GRACE_MS);
      this.#wakeTimer.unref();
    }, SLEEP_TICK_MS);
    this.#sleepWatch.unref();
  }

  #setMediaState(state: MediaState): void {
    if (this.#mediaState === state) return;
    this.#mediaState = state;
    if (state === 'none') this.#check = null;
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
    clearInterval(this.#displayTimer);
    clearTimeout(this.#statusRetry);
    this.#displayLost = false;
    this.gate.setDisplayUnavailable(false);
    this.#setPaused(false);
    this.#laser = null;
    this.#drawLaser();
    if (active) {
      active.releaseAll();
      this.#setMediaState('none');
      await active.close();
    }
    this.emit('change');
  }
}

/** Whether `consent` was given in `view`'s session, for its helper. */
function sameConsent(consent: SharingConsent, view: SessionView): boolean {
  return consent.sessionId === view.id && consent.helperId === view.helper.id;
}
