/**
 * @module useTileCanvas
 * React glue for {@link attachTileView}: while the current connection has a `tiles` data
 * channel (the native agent's screen), its messages are painted onto the canvas behind
 * `canvas`. React only hears of the first complete frame (`painted`). A new channel (a new
 * connection) starts over on an empty canvas.
 * The connection's video track, if it has one, plays in the hidden `video` element: the
 * agent sends the part of its screen that plays like a video there, and the view draws it
 * onto the canvas (ADR 0024).
 */
import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { attachTileView } from './attachTileView';
import { playStream } from '../../common/playStream';

/** The canvas that shows the tiles, and whether a complete frame is on it yet. */
export interface TileCanvas {
  canvas: RefObject<HTMLCanvasElement | null>;
  /** Render a hidden `<video ref={video}>` beside the canvas: it plays the video area's track. */
  video: RefObject<HTMLVideoElement | null>;
  painted: boolean;
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
    const detach = attachTileView(channel, element, () => video.current, {
      askForPicture,
      onFirstFrame: () => setPainted(true),
    });
    return () => {
      detach();
      setPainted(false);
    };
    // Asked for once per channel: the flag only says how this channel came to be.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [channel]);

  return channel ? { canvas, video, painted } : null;
}
