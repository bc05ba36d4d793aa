/**
 * @module session/screenShare
 * The media of one active session: capture of the chosen display, its pixels sent as
 * damage tiles on the `tiles` channel (`TileSender`, the default: no video encoder, no
 * jitter buffer, nothing sent while the screen is still; ADR 0007) or fed to a
 * `ScreenVideoSource` track (`pixels: 'video'`), and the `AgentPeer` (offerer, `input` +
 * `control` channels) that carries it to the helper. `LiveMedia` is the interface the session controller uses,
 * so tests can replace the whole pipeline with a fake.
 *
 * On the tiles path, the part of the screen that plays like a video (`VideoAreas`: many
 * frames in a row, photographic) goes to a video track instead, cropped to that area, and
 * comes back to exact tiles once it is still (ADR 0024). The track joins the connection
 * when the first area plays (one offer and answer on the running connection, the area
 * staying on tiles meanwhile), and then stays, carrying nothing while there is no area: a
 * track makes libwebrtc tick a send controller every few milliseconds, a fifth of the idle
 * agent's CPU, which a session without video need not pay.
 */
import { EventEmitter } from 'node:events';
import type { IceServer, SignalPayload } from '@remote-help/protocol';
import { AgentError, isAgentError } from '../errors.js';
import { bulkKbitFromEnv, warmKibFromEnv } from '../config/tuning.js';
import type { CaptureStats, DisplayInfo, ScreenFrame, ScreenSource } from '../platform/types.js';
import type { PathState } from '@remote-help/protocol';
import { AgentPeer, type ChannelLabel } from '../rtc/peer.js';
import { TileSender, warmUpTileEncoder, type TileChannel, type TileSenderStats } from '../rtc/tileSender.js';
import { trace, tracing } from '../trace.js';
import { ScreenVideoSource, type VideoSourceStats } from '../rtc/videoSource.js';
import { VideoAreas } from '../capture/videoAreas.js';
import { sameDisplay, sameRect, toLocal } from '../capture/rects.js';
import type { Rect } from '../platform/types.js';
import type { WrtcDataChannel, WrtcModule } from '../rtc/wrtc.js';

/** Repeats of the current picture after connecting, and their spacing. */
const WARM_UP_FRAMES = 20;
const WARM_UP_INTERVAL_MS = 50;
/** Frames per second read while the tile sender holds large changes for its pacing (see `#paceCapture`). */
const PACED_CAPTURE_FPS = 15;

/** Events of a `LiveMedia`. */
export interface LiveMediaEvents {
  /** A payload to relay to the helper. */
  signal: [payload: SignalPayload];
  /** An input message, and the number of the connection it came on (numbering restarts with each). */
  input: [data: string | ArrayBuffer, stream: number];
  control: [data: string | ArrayBuffer];
  channelopen: [label: ChannelLabel];
  connectionstatechange: [state: string];
  /** The connection check of the current connection, after each negotiation (see `AgentPeer`). */
  check: [check: string];
  /** A captured frame (the buffer is reused: copy before returning). */
  frame: [frame: ScreenFrame];
  /** Capture or negotiation failed. */
  error: [error: Error];
  /** Capture stopped because the display went away (X server gone): see `recoverCapture`. */
  captureLost: [error: Error];
  /** The connection's network path (heartbeat): `down` = silent for 1.25 s; see `restartIce`. */
  path: [state: PathState];
  /**
   * The displays changed (`displays()` has the new list). `shared`: the shared display itself
   * changed size or place (or went, and another is shared): capture runs again at its new
   * bounds, and input must be mapped to them.
   */
  displays: [shared: boolean];
}

/** The media pipeline of one session, as the controller sees it. */
export interface LiveMedia extends EventEmitter<LiveMediaEvents> {
  /** The display being shared. */
  readonly display: DisplayInfo;
  displays(): DisplayInfo[];
  /**
   * Sends the offer and sets up the connection (ICE, DTLS, SCTP, channels) without
   * capturing anything: the sharer is still reading the request (ADR 0023). Absent: `start`
   * does all of it.
   */
  connect?(): Promise<void>;
  /**
   * The sharer clicked Allow and the server has not answered yet: capture starts and the
   * first frame is read meanwhile, but nothing leaves the device until `start` (absent:
   * `start` does it).
   */
  readyCapture?(): void;
  /** The Allow did not go through: a capture started by `readyCapture` stops (nothing was sent). */
  cancelCapture?(): Promise<void>;
  /** Starts capture, and sends the offer unless `connect` already did (listeners must be attached first). */
  start(): Promise<void>;
  handleSignal(payload: SignalPayload): Promise<void>;
  /**
   * Replaces the peer connection with a fresh one and offers again (the helper asked
   * with `restart`, e.g. after reloading its page, or the connection failed).
   */
  renegotiate(): Promise<void>;
  /** Restarts ICE on the current connection (its network path died; network change). */
  restartIce?(): Promise<void>;
  /** Sends on the `control` channel; false when it is not open. */
  sendControl(text: string): boolean;
  /** Switches capture to another display; throws `display_not_found` for unknown ids. */
  selectDisplay(id: string): Promise<DisplayInfo>;
  /** Pause (the sharer's choice): no pixels leave the device until resumed; resuming sends the whole picture. */
  setPaused(paused: boolean): void;
  /** After `captureLost`: opens the screen again and resumes capture; false while it cannot. */
  recoverCapture(): Promise<boolean>;
  close(): Promise<void>;
}

/** What a `ScreenShare` captures and where it connects. */
export interface ScreenShareOptions {
  /** An open screen source; the share owns it and closes it. */
  screen: ScreenSource;
  /** Opens a new screen source after the display went away (absent: capture cannot recover). */
  reopenScreen?: (() => Promise<ScreenSource>) | undefined;
  /** Display to share (default: the primary one). */
  displayId?: string | undefined;
  iceServers: IceServer[];
  /**
   * The session's ICE servers (`sessionIce`), when the server hands them out per session:
   * used for new connections instead of `iceServers`, renewed before each ICE restart, and
   * closed with the share.
   */
  ice?: SessionIceSource | undefined;
  maxFps?: number;
  /** How pixels travel: damage tiles on a data channel (default) or a VP8 video track. */
  pixels?: PixelPath | undefined;
  /**
   * On the tiles path, send areas that play like a video on a video track (default: on,
   * unless the environment has `REMOTE_HELP_VIDEO_AREAS=off`).
   */
  videoAreas?: boolean | undefined;
  /**
   * On the tiles path, the average rate of large changes in kbit/s (`TileSender`'s bulk
   * pacing; 0: none). Default: `REMOTE_HELP_BULK_KBIT` from the environment, else 1,000.
   */
  bulkKbitPerSecond?: number | undefined;
  /**
   * On the tiles path, padding sent once when the connection comes up before the Allow, to open
   * SCTP's congestion window for the first picture (`AgentPeer.warmWindow`), in KiB; 0: none.
   * Default: `REMOTE_HELP_WARM_KB` from the environment, else {@link WARM_WINDOW_KIB}.
   */
  warmWindowKib?: number | undefined;
  wrtc?: WrtcModule;
}

/**
 * Default padding before the first picture, KiB: grows a new association's window from about 12
 * to about 28 KB (the first picture of the journeys' plain 1280×720 desktop is 13.7 KB), and crosses a
 * 2 Mbit/s link in about 130 ms, well within the time a sharer takes to read a request.
 */
export const WARM_WINDOW_KIB = 32;

/** The part of the protocol's `SessionIce` a share uses. */
export interface SessionIceSource {
  readonly servers: IceServer[];
  fresh(): Promise<IceServer[]>;
  close(): void;
}

/** How the screen's pixels travel to the helper. */
export type PixelPath = 'tiles' | 'video';

/** The video-area track on the connection: not yet, offered (waiting for the answer), or answered. */
export type AreaTrackState = 'absent' | 'adding' | 'ready';

/** See `ScreenShare.stats`. */
export interface ScreenShareStats {
  pixels: PixelPath;
  capture: CaptureStats;
  video?: VideoSourceStats;
  tiles?: TileSenderStats;
  /** The tiles path's video areas: the current one, how many there were, their track on the connection, and its counters. */
  videoAreas?: { area: Rect | null; started: number; track: AreaTrackState; video: VideoSourceStats };
  rtc: Record<string, unknown>[];
}

/** How often a video area is checked for having gone still while no frame comes. */
const AREA_TICK_MS = 100;

/** Capture → video track → peer connection. */
export class ScreenShare extends EventEmitter<LiveMediaEvents> implements LiveMedia {
  #display: DisplayInfo;
  #displays: DisplayInfo[];
  #screen: ScreenSource;
  readonly #reopenScreen: (() => Promise<ScreenSource>) | undefined;
  /** The sharer paused: the pixel path sends nothing. */
  #paused = false;
  /** Capture stopped with the display (see `captureLost`). */
  #captureLost = false;
  /** Capture was started (and not cancelled): a change of the display starts it again. */
  #captureOn = false;
  /** Stops `watchDisplays` of the current screen source. */
  #unwatchDisplays: (() => void) | undefined;
  /** Display changes are handled one after the other. */
  #displayWork: Promise<void> = Promise.resolve();
  readonly #video: ScreenVideoSource | null;
  #tiles: TileSender | null = null;
  /** The tiles path's video areas: the finder, the track's source, the current area, and areas so far. */
  readonly #areas: VideoAreas | null;
  readonly #areaVideo: ScreenVideoSource | null;
  /** The tiles path's bulk pacing (`TileSender`), bytes per second. */
  readonly #bulkBytesPerSecond: number;
  #area: Rect | null = null;
  /** The capture runs at PACED_CAPTURE_FPS (see `#paceCapture`). */
  #captureSlow = false;
  #areasStarted = 0;
  #areaTrack: AreaTrackState = 'absent';
  #areaTimer: NodeJS.Timeout | undefined;
  /** Peer connections made so far (the current one's number). */
  #generation = 0;
  #lastFrame: ScreenFrame | null = null;
  readonly #iceServers: IceServer[];
  readonly #ice: SessionIceSource | undefined;
  readonly #wrtc: WrtcModule | undefined;
  #peer: AgentPeer;
  /** The first offer went out (`connect` or `start`). */
  #negotiating: Promise<void> | null = null;
  /** Capture set up and the encoder warmed, without reading the screen (`connect`). */
  #preparing: Promise<void> | null = null;
  /** Capture started by `readyCapture`, before the server had the Allow. */
  #capturing: Promise<void> | null = null;
  /** Frames are read and kept, none sent (`readyCapture` until `start`). */
  #held = false;
  #closed = false;
  #warmUpTimer: NodeJS.Timeout | undefined;
  /** The picture was asked for (`readyCapture` or `start`): no more padding. */
  #wantsPicture = false;
  readonly #warmWindowBytes: number;

  private constructor(options: ScreenShareOptions, displays: DisplayInfo[], display: DisplayInfo) {
    super();
    this.#screen = options.screen;
    this.#reopenScreen = options.reopenScreen;
    this.#displays = displays;
    this.#display = display;
    this.#video =
      options.pixels === 'video'
        ? new ScreenVideoSource({
            ...(options.maxFps ? { maxFps: options.maxFps } : {}),
            ...(options.wrtc ? { wrtc: options.wrtc } : {}),
          })
        : null;
    const areas = this.#video === null && (options.videoAreas ?? process.env['REMOTE_HELP_VIDEO_AREAS'] !== 'off');
    this.#areas = areas ? new VideoAreas() : null;
    this.#areaVideo = areas
      ? new ScreenVideoSource({ maxFps: 30, ...(options.wrtc ? { wrtc: options.wrtc } : {}) })
      : null;
    this.#areaVideo?.setPaused(true); // nothing to carry until there is an area
    this.#bulkBytesPerSecond = ((options.bulkKbitPerSecond ?? bulkKbitFromEnv() ?? 1000) * 1000) / 8;
    this.#warmWindowBytes = (options.warmWindowKib ?? warmKibFromEnv() ?? WARM_WINDOW_KIB) * 1024;
    this.#iceServers = options.iceServers;
    this.#ice = options.ice;
    this.#wrtc = options.wrtc;
    this.#peer = this.#newPeer();
    this.#watchDisplays();
  }

  /** Follows the screen source's display changes (where it reports them). */
  #watchDisplays(): void {
    this.#unwatchDisplays?.();
    const screen = this.#screen;
    this.#unwatchDisplays = screen.watchDisplays?.((displays) => {
      this.#displayWork = this.#displayWork.then(() =>
        screen === this.#screen ? this.#onDisplays(displays) : undefined,
      );
    });
  }

  /**
   * The displays changed (a resolution or layout change, a monitor plugged in or out). The
   * shared display is found again by its id (else the primary one); if it changed size or
   * place, capture starts again at its new bounds, and the tiles send the new picture whole.
   */
  async #onDisplays(displays: DisplayInfo[]): Promise<void> {
    if (this.#closed || displays.length === 0) return;
    const was = this.#display;
    const display = displays.find((d) => d.id === was.id) ?? pickDisplay(displays);
    const listed = JSON.stringify(displays) !== JSON.stringify(this.#displays);
    this.#displays = displays;
    const shared = !sameDisplay(display, was);
    if (!shared && !listed) return;
    this.#display = display;
    trace('tiles', () => `displays changed; shared ${display.bounds.width}x${display.bounds.height}`);
    // Told first: input maps to the new bounds before the new picture reaches the helper.
    this.emit('displays', shared);
    if (!shared || !this.#captureOn || this.#captureLost || this.#closed) return;
    try {
      await this.#capture(display);
    } catch (error) {
      this.#onCaptureError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Lists the displays and prepares the pipeline for the chosen one. */
  static async open(options: ScreenShareOptions): Promise<ScreenShare> {
    try {
      const displays = await options.screen.listDisplays();
      const display = pickDisplay(displays, options.displayId);
      return new ScreenShare(options, displays, display);
    } catch (error) {
      options.ice?.close();
      await options.screen.close();
      throw error;
    }
  }

  get display(): DisplayInfo {
    return this.#display;
  }

  displays(): DisplayInfo[] {
    return [...this.#displays];
  }

  connect(): Promise<void> {
    this.#negotiating ??= this.#peer.start();
    this.#preparing ??= this.#prepare();
    return this.#negotiating;
  }

  /**
   * While the sharer reads the request: the capture's buffers and shared memory are set up
   * and the tile encoder runs once on a made-up picture, so that Allow only reads and
   * encodes. No pixel of the screen is read. A failure here is left for `start` to meet.
   */
  async #prepare(): Promise<void> {
    try {
      await this.#screen.prepare?.(this.#display.id);
      if (!this.#video) warmUpTileEncoder();
      trace('tiles', () => 'capture prepared');
    } catch (error) {
      trace('tiles', () => `capture not prepared: ${String(error)}`);
    }
  }

  readyCapture(): void {
    if (this.#closed || this.#capturing) return;
    this.#askPicture();
    this.#held = true;
    trace('tiles', () => 'capture starts, held until the session is active');
    // Prepared while the sharer read the request (if connected early): not done twice at once.
    this.#capturing = (this.#preparing ?? Promise.resolve()).then(() => this.#capture(this.#display));
    this.#capturing.catch(() => undefined); // `start` meets the failure
  }

  async cancelCapture(): Promise<void> {
    const capturing = this.#capturing;
    if (!this.#held || this.#closed || !capturing) return;
    this.#capturing = null;
    await capturing.catch(() => undefined);
    this.#captureOn = false;
    await this.#screen.stop();
    this.#tiles?.discardPrepared();
    this.#held = false; // only now: a frame read meanwhile must not leave
    this.#lastFrame = null;
    trace('tiles', () => 'held capture stopped');
  }

  async start(): Promise<void> {
    this.#askPicture();
    // Prepared while the sharer read the request (if connected early): not done twice at once.
    await this.#preparing;
    const capturing = this.#capturing;
    if (capturing && this.#held) {
      // Read while the Allow went to the server: the picture goes now (or with its first frame).
      this.#held = false;
      trace('tiles', () => 'held capture released');
      if (this.#lastFrame) this.#onFrame({ ...this.#lastFrame, changed: undefined });
      await Promise.all([capturing, this.connect()]);
    } else {
      // The offer does not need a frame: negotiate (unless connected early) while the first frame is read.
      trace('tiles', () => 'capture starts');
      await Promise.all([this.#capture(this.#display), this.connect()]);
    }
    trace('tiles', () => 'capture started');
    // A video track connected before capture has had no key frame yet.
    if (this.#video && this.#peer.connectionState === 'connected') this.#warmUp();
  }

  handleSignal(payload: SignalPayload): Promise<void> {
    return this.#peer.handleSignal(payload);
  }

  async renegotiate(): Promise<void> {
    if (this.#closed) return;
    const old = this.#peer;
    old.removeAllListeners();
    old.close();
    this.#tiles?.close();
    this.#tiles = null;
    this.#peer = this.#newPeer();
    this.emit('connectionstatechange', 'new');
    await this.#peer.start();
  }

  /** A peer connection carrying the screen (track or `tiles` channel), its events forwarded. */
  #newPeer(): AgentPeer {
    // A new connection carries the area track from its first offer once an area has played.
    if (this.#areaTrack === 'adding') this.#areaTrack = 'ready';
    const peer = new AgentPeer({
      track: this.#video?.track ?? (this.#areaTrack === 'ready' ? this.#areaVideo?.track : undefined),
      tiles: this.#video === null,
      iceServers: this.#ice?.servers ?? this.#iceServers,
      ...(this.#wrtc ? { wrtc: this.#wrtc } : {}),
    });
    peer.on('signal', (payload) => this.emit('signal', payload));
    const stream = ++this.#generation;
    peer.on('input', (data) => this.emit('input', data, stream));
    peer.on('control', (data) => this.emit('control', data));
    peer.on('tiles', (data) => {
      if (typeof data === 'string') return;
      try {
        this.#tiles?.handleMessage(data);
      } catch (error) {
        this.emit('error', error as Error);
      }
    });
    peer.on('channelopen', (label) => {
      if (label === 'tiles' && peer.tilesChannel) this.#startTiles(tileChannel(peer, peer.tilesChannel));
      this.emit('channelopen', label);
    });
    let lastState = '';
    peer.on('connectionstatechange', (state) => {
      if (state === lastState) return; // libwebrtc repeats some states
      lastState = state;
      if (state === 'connected') this.#warmUp();
      if (state === 'connected') this.#warmWindow(peer);
      if (state === 'connected' && this.#area) this.#areaVideo?.refresh();
      this.emit('connectionstatechange', state);
    });
    peer.on('error', (error) => this.emit('error', error));
    peer.on('check', (check) => this.emit('check', check));
    let pathWasDown = false;
    peer.on('path', (state) => {
      // Dead: nothing piles up in the channel. Back: what was sent meanwhile is lost, so the
      // whole picture goes again, at once (`TileSender.setPathDown`).
      if (state === 'down') this.#tiles?.setPathDown(true);
      if (state === 'up' && pathWasDown) {
        this.#tiles?.setPathDown(false);
        this.#warmUp();
      }
      pathWasDown = state === 'down';
      this.emit('path', state);
    });
    return peer;
  }

  async restartIce(): Promise<void> {
    if (this.#closed) return;
    // New TURN allocations need a credential with life left: renewed first when past half its TTL.
    if (this.#ice) {
      const peer = this.#peer;
      const servers = await this.#ice.fresh();
      if (this.#closed || peer !== this.#peer) return;
      peer.setIceServers(servers);
    }
    return this.#peer.restartIce();
  }

  sendControl(text: string): boolean {
    return this.#peer.sendControl(text);
  }

  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    this.#tiles?.setPaused(paused);
    this.#video?.setPaused(paused);
    this.#areaVideo?.setPaused(paused || !this.#area);
    if (!paused) this.#warmUp();
  }

  async recoverCapture(): Promise<boolean> {
    if (this.#closed) return false;
    if (!this.#captureLost) return true;
    if (!this.#reopenScreen) return false;
    let screen: ScreenSource;
    try {
      screen = await this.#reopenScreen();
    } catch {
      return false; // still gone: the caller tries again later
    }
    try {
      const displays = await screen.listDisplays();
      const display = displays.find((d) => d.id === this.#display.id) ?? pickDisplay(displays);
      if (this.#closed) throw new Error('closed');
      const old = this.#screen;
      this.#screen = screen;
      this.#watchDisplays();
      this.#displays = displays;
      this.#display = display;
      this.#captureLost = false;
      // The old connection is dead: closing it may wait for its timeout, so it is not awaited.
      void old.close().catch(() => undefined);
      await this.#capture(display);
      // The helper's picture is of the old screen: send all of it again.
      this.#tiles?.refresh();
      this.#warmUp();
      return true;
    } catch {
      this.#captureLost = true;
      await screen.close().catch(() => undefined);
      return false;
    }
  }

  /** Counters of the pixel path and the connection's WebRTC statistics, for diagnostics and the benchmark. */
  async stats(): Promise<ScreenShareStats> {
    return {
      pixels: this.#video ? 'video' : 'tiles',
      capture: this.#screen.stats(),
      ...(this.#video ? { video: this.#video.stats() } : {}),
      ...(this.#tiles ? { tiles: this.#tiles.stats() } : {}),
      ...(this.#areaVideo
        ? {
            videoAreas: {
              area: this.#area,
              started: this.#areasStarted,
              track: this.#areaTrack,
              video: this.#areaVideo.stats(),
            },
          }
        : {}),
      rtc: await this.#peer.getStats(),
    };
  }

  async selectDisplay(id: string): Promise<DisplayInfo> {
    const display = pickDisplay(this.#displays, id);
    if (display.id === this.#display.id) return display;
    await this.#capture(display);
    this.#display = display;
    return display;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#warmUpTimer);
    clearInterval(this.#areaTimer);
    this.#unwatchDisplays?.();
    this.#ice?.close();
    this.#peer.close();
    this.#video?.stop();
    this.#areaVideo?.stop();
    this.#tiles?.close();
    await this.#screen.close();
  }

  /**
   * Frames sent before the connection was up are lost, and the receiver can decode
   * nothing until a key frame arrives (it asks for one with a PLI). Repeating the
   * current picture for a short while after connecting gets the first frame shown in
   * about one round of PLI instead of at the next screen change or keep-alive.
   */
  #warmUp(): void {
    const video = this.#video;
    if (!video) return;
    clearInterval(this.#warmUpTimer);
    let left = WARM_UP_FRAMES;
    video.refresh();
    this.#warmUpTimer = setInterval(() => {
      if (--left <= 0 || this.#closed) clearInterval(this.#warmUpTimer);
      else video.refresh();
    }, WARM_UP_INTERVAL_MS);
    this.#warmUpTimer.unref();
  }

  /**
   * Connected before the Allow (the sharer is reading the request): padding opens SCTP's
   * congestion window, so the first picture goes in one round trip. Never once the picture was
   * asked for, nor for the video path (RTP has its own congestion control).
   */
  #warmWindow(peer: AgentPeer): void {
    if (this.#video || this.#wantsPicture || this.#closed) return;
    peer.warmWindow(this.#warmWindowBytes);
  }

  #askPicture(): void {
    this.#wantsPicture = true;
    this.#peer.stopWarming();
  }

  /** The `tiles` channel opened: the whole current picture goes out at once, then every change. */
  #startTiles(channel: TileChannel): void {
    this.#tiles?.close();
    const sender = new TileSender(channel, { bulkBytesPerSecond: this.#bulkBytesPerSecond });
    sender.setPaused(this.#paused);
    this.#tiles = sender;
    // Not while held (`readyCapture`): `start` sends it once the session is active (encoded meanwhile).
    if (this.#lastFrame && !this.#held) sender.pushFrame({ ...this.#lastFrame, changed: undefined });
    else if (this.#lastFrame) sender.prepare(this.#lastFrame);
    else sender.reserve(this.#display.bounds.width, this.#display.bounds.height);
    if (this.#area) sender.setVideoArea(this.#area);
    if (tracing('tiles')) {
      const capture = this.#screen;
      const timer = setInterval(() => {
        if (this.#tiles !== sender) return clearInterval(timer);
        trace('tiles', () => `sender ${JSON.stringify(sender.stats())} capture ${JSON.stringify(capture.stats())}`);
      }, 1000);
      timer.unref();
    }
  }

  async #capture(display: DisplayInfo): Promise<void> {
    this.#captureOn = true;
    await this.#screen.start(display.id, (frame) => this.#onFrame(frame), {
      onError: (error) => this.#onCaptureError(error),
    });
  }

  #onFrame(frame: ScreenFrame): void {
    if (!this.#lastFrame) trace('tiles', () => 'first frame captured');
    this.#lastFrame = frame;
    if (this.#held) {
      // The server does not have the Allow yet: nothing leaves, but the first picture is encoded meanwhile.
      this.#tiles?.prepare(frame);
      return;
    }
    this.#video?.pushFrame(frame);
    if (this.#areas) this.#pushArea(frame);
    this.#tiles?.pushFrame(frame);
    this.#paceCapture();
    this.emit('frame', frame);
  }

  /**
   * While the tile sender holds large changes for its pacing (a terminal pouring text), the
   * screen is read at most PACED_CAPTURE_FPS times a second: the frames between could only
   * be merged, and each read costs the X server and this process a pass over the change.
   * Not while there is a video area, whose track takes every frame. The full rate comes
   * back with the first frame after the hold.
   */
  #paceCapture(): void {
    const slow = (this.#tiles?.paced ?? false) && this.#area === null;
    if (slow === this.#captureSlow) return;
    this.#captureSlow = slow;
    this.#screen.setMaxFps?.(slow ? PACED_CAPTURE_FPS : undefined);
  }

  /**
   * Finds the video area in a captured frame (before the tiles see it, so that they leave
   * it out) and hands what changed in it to the area's track.
   */
  #pushArea(frame: ScreenFrame): void {
    let area = (this.#areas as VideoAreas).update(frame, performance.now());
    if (area && this.#areaTrack !== 'ready') {
      this.#addAreaTrack();
      area = null; // on tiles until the helper has answered for the track
    }
    const fresh = this.#setArea(area);
    if (!area) return;
    const changed = fresh || !frame.changed ? undefined : toLocal(frame.changed, area);
    if (changed && changed.length === 0) return;
    (this.#areaVideo as ScreenVideoSource).pushFrame({
      width: area.width,
      height: area.height,
      stride: frame.stride,
      format: frame.format,
      timestamp: frame.timestamp,
      data: frame.data.subarray(area.y * frame.stride + area.x * 4),
      ...(changed ? { changed } : {}),
    });
    if (fresh) this.#areaVideo?.setPaused(this.#paused);
  }

  /** Puts the area track on the current connection (once), and marks it ready when answered. */
  #addAreaTrack(): void {
    const track = this.#areaVideo?.track;
    if (this.#areaTrack !== 'absent' || !track) return;
    this.#areaTrack = 'adding';
    const peer = this.#peer;
    trace('tiles', () => 'video area: adding its track');
    void peer.addTrack(track).then((answered) => {
      if (peer !== this.#peer || this.#closed) return; // a new connection carries it from the start
      this.#areaTrack = answered ? 'ready' : 'absent';
      trace('tiles', () => `video area: track ${answered ? 'answered' : 'not answered'}`);
    });
  }

  /** Makes `area` the video area (the tiles leave it out); true when it is a new one. */
  #setArea(area: Rect | null): boolean {
    const old = this.#area;
    if (old === area || (old && area && sameRect(old, area))) return false;
    this.#area = area;
    this.#tiles?.setVideoArea(area);
    trace('tiles', () => `video area ${area ? `${area.width}x${area.height}+${area.x}+${area.y}` : 'ended'}`);
    clearInterval(this.#areaTimer);
    if (!area) {
      this.#areaVideo?.setPaused(true);
      return false;
    }
    this.#areasStarted++;
    // The area ends when it has been still for a while: no frame may come to say so.
    this.#areaTimer = setInterval(() => {
      if (this.#closed) return clearInterval(this.#areaTimer);
      this.#setArea(this.#areas?.tick(performance.now()) ?? null);
    }, AREA_TICK_MS);
    this.#areaTimer.unref();
    return true;
  }

  /** A capture failure: a lost display is reported once as `captureLost`, anything else as `error`. */
  #onCaptureError(error: Error): void {
    if (!isDisplayLoss(error)) {
      this.emit('error', error);
      return;
    }
    if (this.#captureLost || this.#closed) return;
    this.#captureLost = true;
    this.emit('captureLost', error);
  }
}

/** Whether a capture failure means the display itself is gone (the X server died or closed on us). */
function isDisplayLoss(error: Error): boolean {
  return isAgentError(error, 'display_unavailable') || isAgentError(error, 'capture_failed');
}

/** The display with `id`, else (no id) the primary or first one; `display_not_found` otherwise. */
export function pickDisplay(displays: DisplayInfo[], id?: string): DisplayInfo {
  const found = id === undefined ? (displays.find((d) => d.primary) ?? displays[0]) : displays.find((d) => d.id === id);
  if (!found) {
    throw new AgentError('display_not_found', id === undefined ? 'No display to share' : `No display with id ${id}`, {
      id: id ?? null,
      available: displays.map((d) => d.id),
    });
  }
  return found;
}

/**
 * The `tiles` channel as the tile sender uses it, its state kept from the channel's own
 * events: wrtc's `readyState` getter is a blocking call into libwebrtc's thread, and the
 * sender asks before every frame (with `bufferedAmount`, 2.5 % of a core on a busy screen).
 * A send that fails because the channel is closing is dropped, as the sender would have.
 */
function tileChannel(peer: AgentPeer, channel: WrtcDataChannel): TileChannel {
  let state: string = channel.readyState;
  peer.on('channelclose', (label) => {
    if (label === 'tiles') state = 'closed';
  });
  return {
    get readyState() {
      return state;
    },
    get bufferedAmount() {
      return channel.bufferedAmount;
    },
    send(data) {
      try {
        channel.send(data);
      } catch (error) {
        state = channel.readyState;
        if (state === 'open') throw error;
      }
    },
  };
}
