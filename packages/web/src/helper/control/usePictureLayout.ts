/**
 * @module usePictureLayout
 * Measures where the sharer's picture is inside the stage (again when the stage or the
 * picture changes size, or the size mode changes) and offers `toVideo`, which maps a
 * page point of a pointer event to normalized video coordinates at the moment of the event.
 * The picture is a `<video>` (a browser sharer's stream) or a `<canvas>` (the agent's
 * tiles, which dispatches `resize` when its size changes, as a video does).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';
import { clientToNormalized, pictureLayout } from './coordinates';
import type { Point, Rect, Size, SizeMode } from './coordinates';

/** Maps `(clientX, clientY)` to normalized video coordinates; see `clientToNormalized`. */
export type ToVideo = (clientX: number, clientY: number, clamp?: boolean) => Point | null;

/** The picture in the stage's content coordinates (null while unknown), and the mapping. */
export interface PictureLayout {
  picture: Rect | null;
  toVideo: ToVideo;
}

/** The element that shows the sharer's screen. */
export type PictureElement = HTMLVideoElement | HTMLCanvasElement;

/** The size of the picture in its own pixels (0 × 0 while unknown). */
function intrinsicSize(element: PictureElement): Size {
  if (element instanceof HTMLVideoElement) return { width: element.videoWidth, height: element.videoHeight };
  return { width: element.width, height: element.height };
}

function sameRect(a: Rect | null, b: Rect | null): boolean {
  if (!a || !b) return a === b;
  return a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height;
}

/** See the module description. */
export function usePictureLayout(
  stage: RefObject<HTMLElement | null>,
  /** The picture element; pass a different ref object when the element kind changes. */
  screen: RefObject<PictureElement | null>,
  mode: SizeMode,
): PictureLayout {
  const [picture, setPicture] = useState<Rect | null>(null);
  const current = useRef<Rect | null>(null);

  useEffect(() => {
    const stageElement = stage.current;
    const screenElement = screen.current;
    if (!stageElement || !screenElement) return;
    const measure = () => {
      const next = pictureLayout(
        { width: stageElement.clientWidth, height: stageElement.clientHeight },
        intrinsicSize(screenElement),
        mode,
      );
      if (sameRect(current.current, next)) return;
      current.current = next;
      setPicture(next);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(stageElement);
    screenElement.addEventListener('resize', measure);
    screenElement.addEventListener('loadedmetadata', measure);
    return () => {
      observer.disconnect();
      screenElement.removeEventListener('resize', measure);
      screenElement.removeEventListener('loadedmetadata', measure);
    };
  }, [stage, screen, mode]);

  const toVideo = useCallback<ToVideo>(
    (clientX, clientY, clamp = false) => {
      const element = stage.current;
      const rect = current.current;
      if (!element || !rect) return null;
      const box = element.getBoundingClientRect();
      const viewport = {
        left: box.left + element.clientLeft,
        top: box.top + element.clientTop,
        width: element.clientWidth,
        height: element.clientHeight,
      };
      const scroll = { x: element.scrollLeft, y: element.scrollTop };
      return clientToNormalized({ x: clientX, y: clientY }, { viewport, scroll, picture: rect }, clamp);
    },
    [stage],
  );

  return { picture, toVideo };
}
