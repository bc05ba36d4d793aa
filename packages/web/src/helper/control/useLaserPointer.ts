/**
 * @module useLaserPointer
 * While the laser pointer is on, the helper's pointer over the picture becomes a laser
 * dot: its position goes to the agent as `laser` (at most once per animation frame) so
 * the sharer sees it, and is returned for drawing it locally too. Leaving the picture,
 * switching the laser off and unmounting send `laserOff`.
 */
import { useEffect, useState } from 'react';
import type { RefObject } from 'react';
import type { HelperControlMessage } from '@remote-help/protocol';
import { unitPoint } from './coordinates';
import type { Point } from './coordinates';
import { FrameCoalescer } from './frameCoalescer';
import type { ToVideo } from './usePictureLayout';

/** Options of {@link useLaserPointer}. */
export interface LaserPointerOptions {
  surface: RefObject<HTMLElement | null>;
  enabled: boolean;
  toVideo: ToVideo;
  /** Sends one message on the `control` channel (validated there). */
  send: ((message: HelperControlMessage) => boolean) | null;
}

/** See the module description. Returns where to draw the local dot (normalized), or null. */
export function useLaserPointer({ surface, enabled, toVideo, send }: LaserPointerOptions): Point | null {
  const [dot, setDot] = useState<Point | null>(null);

  useEffect(() => {
    const element = surface.current;
    if (!enabled || !element || !send) return;
    let shown = false;
    let last: { x: number; y: number } | null = null;
    const frames = new FrameCoalescer<Point | null>((point) => {
      if (point) {
        send({ type: 'laser', ...unitPoint(point) });
        shown = true;
      } else if (shown) {
        send({ type: 'laserOff' });
        shown = false;
      }
      setDot(point);
    });
    const follow = () => frames.push(last && toVideo(last.x, last.y));
    const onMove = (event: PointerEvent) => {
      if (!event.isPrimary) return;
      last = { x: event.clientX, y: event.clientY };
      follow();
    };
    const onLeave = () => {
      last = null;
      follow();
    };
    element.addEventListener('pointermove', onMove);
    element.addEventListener('pointerdown', onMove);
    element.addEventListener('pointerleave', onLeave);
    // Scrolling in actual size moves the picture under a pointer that stands still.
    element.addEventListener('scroll', follow);
    return () => {
      element.removeEventListener('pointermove', onMove);
      element.removeEventListener('pointerdown', onMove);
      element.removeEventListener('pointerleave', onLeave);
      element.removeEventListener('scroll', follow);
      frames.cancel();
      if (shown) send({ type: 'laserOff' });
      setDot(null);
    };
  }, [surface, enabled, toVideo, send]);

  return dot;
}
