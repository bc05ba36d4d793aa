/**
 * @module rtc/videoSource
 * Feeds screen frames into a libwebrtc video track (`RTCVideoSource` in screencast
 * mode). A frame is sent only when the screen changed, at most `maxFps` per second
 * (changes in between are merged into the next send), plus a keep-alive repeat of
 * the last frame every `keepAliveMs` so the receiver's decoder and jitter buffer
 * never starve on a still screen.
 */
import type { ScreenFrame } from '../platform/types.js';
import { createRgbaImage, evenSize, updateRgba, type RgbaImage } from './frameConvert.js';
import { loadWrtc, type WrtcModule, type WrtcTrack, type WrtcVideoSource } from './wrtc.js';

export interface ScreenVideoSourceOptions {
  /** Most frames per second handed to the encoder (default 60). */
  maxFps?: number;
  /** Repeat the last frame after this long without a change (default 1000 ms). */
  keepAliveMs?: number;
  wrtc?: WrtcModule;
}

/** Counters for measurement. */
export interface VideoSourceStats {
  framesIn: number;
  framesSent: number;
  keepAlives: number;
  /** Average ms to copy/convert changed pixels into the RGBA image. */
  copyMsAvg: number;
  /** Average ms of `rgbaToI420` on the whole image. */
  i420MsAvg: number;
}

/** A video track fed from `pushFrame`. */
export class ScreenVideoSource {
  readonly track: WrtcTrack;
  readonly #wrtc: WrtcModule;
  readonly #source: WrtcVideoSource;
  readonly #minIntervalMs: number;
  readonly #keepAliveMs: number;
  #rgba: RgbaImage | null = null;
  #i420: Uint8Array | null = null;
  #dirty = false;
  #lastSentAt = -Infinity;
  #sendTimer: NodeJS.Timeout | undefined;
  /** Runs only while not paused: a paused source (the hybrid areas' before any area) wakes nobody. */
  #keepAliveTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Sharing is paused: no frame reaches the track, not even keep-alives. */
  #paused = false;
  #stats = { framesIn: 0, framesSent: 0, keepAlives: 0, copyMs: 0, i420Ms: 0, conversions: 0 };

  constructor(options: ScreenVideoSourceOptions = {}) {
    this.#wrtc = options.wrtc ?? loadWrtc();
    this.#source = new this.#wrtc.nonstandard.RTCVideoSource({ isScreencast: true });
    this.track = this.#source.createTrack();
    this.#minIntervalMs = 1000 / Math.max(1, Math.min(options.maxFps ?? 60, 120));
    this.#keepAliveMs = options.keepAliveMs ?? 1000;
    this.#startKeepAlive();
  }

  #startKeepAlive(): void {
    this.#keepAliveTimer = setInterval(() => this.#keepAlive(), Math.max(20, this.#keepAliveMs / 4));
    this.#keepAliveTimer.unref();
  }

  /** Takes a changed frame (copied before returning, so the caller may reuse its buffer). */
  pushFrame(frame: ScreenFrame): void {
    if (this.#stopped) return;
    this.#stats.framesIn++;
    const size = evenSize(frame);
    if (size.width === 0 || size.height === 0) return;
    const t0 = performance.now();
    const resized = !this.#rgba || this.#rgba.width !== size.width || this.#rgba.height !== size.height;
    if (resized) {
      this.#rgba = createRgbaImage(size);
      this.#i420 = new Uint8Array(new ArrayBuffer((size.width * size.height * 3) / 2));
    }
    updateRgba(this.#rgba as RgbaImage, frame, resized ? undefined : frame.changed);
    this.#stats.copyMs += performance.now() - t0;
    this.#dirty = true;
    this.#scheduleSend();
  }

  /**
   * Sends the last frame again now (within the rate limit). Call it when a receiver
   * connects: frames handed over before the connection was up never reach it, and a
   * still screen would otherwise wait for the next keep-alive.
   */
  refresh(): void {
    if (this.#stopped || !this.#i420) return;
    this.#scheduleSend();
  }

  /** Pauses (frames are only remembered) or resumes; on resume the current picture goes out at once. */
  setPaused(paused: boolean): void {
    if (this.#paused === paused) return;
    this.#paused = paused;
    if (paused) {
      clearTimeout(this.#sendTimer);
      this.#sendTimer = undefined;
      clearInterval(this.#keepAliveTimer);
      this.#keepAliveTimer = undefined;
    } else {
      if (!this.#stopped) this.#startKeepAlive();
      this.refresh();
    }
  }

  stats(): VideoSourceStats {
    const s = this.#stats;
    return {
      framesIn: s.framesIn,
      framesSent: s.framesSent,
      keepAlives: s.keepAlives,
      copyMsAvg: s.framesIn ? s.copyMs / s.framesIn : 0,
      i420MsAvg: s.conversions ? s.i420Ms / s.conversions : 0,
    };
  }

  /** Stops sending and ends the track. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#sendTimer);
    clearInterval(this.#keepAliveTimer);
    this.track.stop();
  }

  #scheduleSend(): void {
    if (this.#sendTimer) return;
    const wait = this.#lastSentAt + this.#minIntervalMs - performance.now();
    if (wait <= 0) {
      this.#send();
      return;
    }
    this.#sendTimer = setTimeout(() => {
      this.#sendTimer = undefined;
      this.#send();
    }, wait);
  }

  #send(): void {
    const rgba = this.#rgba;
    const i420 = this.#i420;
    if (this.#stopped || this.#paused || !rgba || !i420) return;
    if (this.#dirty) {
      const t0 = performance.now();
      this.#wrtc.nonstandard.rgbaToI420(rgba, { width: rgba.width, height: rgba.height, data: i420 });
      this.#stats.i420Ms += performance.now() - t0;
      this.#stats.conversions++;
      this.#dirty = false;
    }
    this.#source.onFrame({ width: rgba.width, height: rgba.height, data: i420 });
    this.#lastSentAt = performance.now();
    this.#stats.framesSent++;
  }

  #keepAlive(): void {
    if (this.#paused || this.#sendTimer || !this.#i420) return;
    if (performance.now() - this.#lastSentAt < this.#keepAliveMs) return;
    this.#stats.keepAlives++;
    this.#send();
  }
}
