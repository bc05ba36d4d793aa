/**
 * @module useTileCanvas
 * React glue for {@link TileReceiver}: while the current connection has a `tiles` data
 * channel (the native agent's screen), paints its messages onto the canvas behind
 * `canvas` as they arrive and acknowledges frames on the same channel. React only hears
 * of the first complete frame (`painted`); the count of complete frames is written to the
 * canvas' `data-frames` attribute at most once per animation frame, for tests and probes.
 * Acks go out when the browser next draws (`paceAcks`): the agent sends on acks, so a
 * helper whose machine cannot keep up gets fewer frames instead of a frozen page.
 * A new channel (a new connection) starts over on an empty canvas. A channel that was
 * open before the canvas listened (`askForPicture`: the connection was set up before the
 * sharer allowed) may have carried messages before it listened: those kept by
 * `tileBacklog` are painted first; when none were kept, or too many, the whole picture is
 * asked for.
 * The connection's video track, if it has one, plays in the hidden `video` element: the
 * agent sends the part of its screen that plays like a video there, and a
 * {@link VideoAreaCompositor} draws it onto the canvas (ADR 0024).
 */
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { FrameCoalescer } from '../control/frameCoalescer';
import { CanvasPainter } from './CanvasPainter';
import { VideoAreaCompositor } from './VideoAreaCompositor';
import { takeTileBacklog } from './tileBacklog';
import { playStream } from '../../common/playStream';
import { TileReceiver } from '@remote-help/protocol';

/** The canvas that shows the tiles, and whether a complete frame is on it yet. */
export interface TileCanvas {
  canvas: RefObject<HTMLCanvasElement | null>;
  /** Render a hidden `<video ref={video}>` beside the canvas: it plays the video area's track. */
  video: RefObject<HTMLVideoElement | null>;
  painted: boolean;
}

/** A hidden tab draws no frames: acks then go out after this long (browsers stretch it to 1 s in background tabs). */
const HIDDEN_ACK_MS = 250;

/** Sends acks with the next animation frame, or after `HIDDEN_ACK_MS` if no frame comes. */
function paceAcks(flush: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(timer);
    flush();
  };
  const frame = requestAnimationFrame(once);
  const timer = setTimeout(once, HIDDEN_ACK_MS);
}

/** Puts an element back to "no picture": 0 × 0, which layouts treat as an unknown size. */
function clear(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
  canvas.dispatchEvent(new Event('resize'));
  canvas.dataset.frames = '0';
  canvas.dataset.videoCells = '0';
}

/**
 * See the module description. Returns null when there is no `tiles` channel (the picture
 * is a video then). Render `<canvas ref={canvas}>` in the same render the channel appears.
 */
export function useTileCanvas(
  channel: RTCDataChannel | undefined,
  askForPicture = false,
  stream: MediaStream | null = null,
): TileCanvas | null {
  const canvas = useRef<HTMLCanvasElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [painted, setPainted] = useState(false);

  useEffect(() => {
    if (video.current) playStream(video.current, stream);
  }, [stream, channel]);

  useEffect(() => {
    const element = canvas.current;
    if (!channel || !element) return;
    clear(element);
    let first = true;
    const frames = new FrameCoalescer<number>((count) => {
      element.dataset.frames = String(count);
      if (first) setPainted(true);
      first = false;
    });
    const compositor = new VideoAreaCompositor(element, () => video.current);
    const receiver = new TileReceiver(
      (data) => {
        if (channel.readyState === 'open') channel.send(data);
      },
      new CanvasPainter(element, compositor),
      undefined,
      paceAcks,
    );
    const onMessage = (event: MessageEvent<unknown>) => {
      const before = receiver.stats.frames;
      receiver.handle(event.data);
      if (receiver.stats.frames !== before) frames.push(receiver.stats.frames);
    };
    const detach = () => {
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('close', detach);
      frames.cancel();
      compositor.dispose();
    };
    channel.binaryType = 'arraybuffer';
    // What came before this listener (the first picture, sent while the view mounted) is painted first.
    const backlog = takeTileBacklog(channel);
    for (const data of backlog?.messages ?? []) onMessage(new MessageEvent('message', { data }));
    channel.addEventListener('message', onMessage);
    channel.addEventListener('close', detach);
    // Without a complete backlog, what came before may be lost: the whole picture is asked for.
    const complete = backlog !== null && !backlog.overflowed;
    if (askForPicture && !complete && channel.readyState === 'open') receiver.refresh();
    return () => {
      detach();
      clear(element);
      setPainted(false);
    };
    // Asked for once per channel: the flag only says how this channel came to be.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel]);

  return channel ? { canvas, video, painted } : null;
}
