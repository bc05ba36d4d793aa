/**
 * PROTOTYPE (bench only): the agent's pixels as damage tiles over a WebRTC data channel
 * instead of a video track. Each captured frame's changed rectangles are cut into bands of
 * at most 256 KiB of pixels, compressed (zlib level 1, BGRX as captured) and sent on an
 * unordered, reliable channel `tiles`; the viewer (web/tiles.js) inflates them with
 * noVNC's pako-based Inflate, swaps to RGBA and puts them on a canvas. No encoder, no jitter buffer,
 * no padding; a lost packet delays only the tiles it carried (unordered), and a per-block
 * version on the viewer keeps a late tile from overwriting newer pixels. The viewer acknowledges
 * each version it painted; at most MAX_UNACKED versions are in flight (changes meanwhile are
 * merged), so a slow viewer or link gets fewer, bigger updates instead of a growing queue.
 *
 * Message: 16-byte header (u32 version, u16 x, y, w, h, u16 flags, u16 0) + one zlib stream.
 */
import { deflateSync } from 'node:zlib';
import type { Rect, ScreenFrame } from '../../packages/agent/src/platform/types.js';
import type { WrtcDataChannel } from '../../packages/agent/src/rtc/wrtc.js';

const MAX_BAND_BYTES = 256 * 1024;
/** Versions sent but not yet acknowledged as painted by the viewer (pull-style flow control, like VNC). */
const MAX_UNACKED = 2;
/** Above this many queued bytes, changes are merged and sent when the channel drains. */
const HIGH_WATER = 128 * 1024;

export interface TileStats {
  frames: number;
  messages: number;
  rawBytes: number;
  sentBytes: number;
  deflateMsAvg: number;
  deferred: number;
}

export class TileSender {
  readonly #channel: WrtcDataChannel;
  #version = 0;
  #acked = 0;
  #pending: Rect[] = [];
  #last: ScreenFrame | null = null;
  #timer: NodeJS.Timeout | undefined;
  #stats = { frames: 0, messages: 0, rawBytes: 0, sentBytes: 0, deflateMs: 0, deferred: 0 };
  #closed = false;

  constructor(channel: WrtcDataChannel) {
    this.#channel = channel;
    // The viewer acknowledges each painted version with a 4-byte message on the same channel.
    channel.onmessage = ({ data }) => {
      if (!(data instanceof ArrayBuffer) || data.byteLength < 4) return;
      this.#acked = Math.max(this.#acked, new DataView(data).getUint32(0, true));
      this.#flush();
    };
  }

  pushFrame(frame: ScreenFrame): void {
    if (this.#closed) return;
    this.#last = frame;
    this.#pending.push(...(frame.changed ?? [{ x: 0, y: 0, width: frame.width, height: frame.height }]));
    this.#flush();
  }

  stats(): TileStats {
    const s = this.#stats;
    return {
      frames: s.frames,
      messages: s.messages,
      rawBytes: s.rawBytes,
      sentBytes: s.sentBytes,
      deflateMsAvg: s.messages ? s.deflateMs / s.messages : 0,
      deferred: s.deferred,
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #flush(): void {
    const frame = this.#last;
    if (!frame || this.#pending.length === 0 || this.#channel.readyState !== 'open') return;
    if (this.#version - this.#acked >= MAX_UNACKED) {
      this.#stats.deferred++; // the viewer is behind: merge, send when it acknowledges
      return;
    }
    if (this.#channel.bufferedAmount > HIGH_WATER) {
      // Congested: keep the damage; the pixels are read when it drains (they are always current).
      this.#stats.deferred++;
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, 5);
      return;
    }
    const rects = this.#pending;
    this.#pending = [];
    this.#version++;
    this.#stats.frames++;
    for (const r of rects) this.#sendRect(frame, r);
  }

  #sendRect(frame: ScreenFrame, r: Rect): void {
    const rows = Math.max(1, Math.floor(MAX_BAND_BYTES / (r.width * 4)));
    for (let y = r.y; y < r.y + r.height; y += rows) {
      const h = Math.min(rows, r.y + r.height - y);
      const raw = Buffer.allocUnsafe(r.width * h * 4);
      for (let row = 0; row < h; row++) {
        const start = (y + row) * frame.stride + r.x * 4;
        raw.set(frame.data.subarray(start, start + r.width * 4), row * r.width * 4);
      }
      const t0 = performance.now();
      const body = deflateSync(raw, { level: 1 });
      this.#stats.deflateMs += performance.now() - t0;
      const msg = new Uint8Array(16 + body.length);
      const view = new DataView(msg.buffer);
      view.setUint32(0, this.#version, true);
      view.setUint16(4, r.x, true);
      view.setUint16(6, y, true);
      view.setUint16(8, r.width, true);
      view.setUint16(10, h, true);
      view.setUint16(12, frame.format === 'bgra' ? 1 : 0, true);
      msg.set(body, 16);
      this.#channel.send(msg);
      this.#stats.messages++;
      this.#stats.rawBytes += raw.length;
      this.#stats.sentBytes += msg.length;
    }
  }
}
