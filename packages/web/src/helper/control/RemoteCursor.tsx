/**
 * @module RemoteCursor
 * The sharer's mouse pointer drawn over the picture (the captured picture does not
 * contain it), from the agent's `cursor` messages, as it looks on the sharer's screen when
 * the agent sends its image (`cursorShape`: a caret over text, a hand over a link), else as
 * an arrow. Place it in the picture layer: its position is a percentage of the picture, so it
 * stays right in fit and actual size. The image is never drawn smaller than its own pixels
 * (see {@link cursorImageScale}).
 */
import { useEffect, useMemo, useState } from 'react';
import type { CursorImage } from '@remote-help/protocol';
import { makeStyles } from '@fluentui/react-components';
import type { ControlChannels } from './ControlChannels';
import type { Point } from './coordinates';

const useStyles = makeStyles({
  cursor: {
    position: 'absolute',
    width: '16px',
    height: '24px',
    pointerEvents: 'none',
    filter: 'drop-shadow(0 1px 1px rgba(0, 0, 0, 0.5))',
    transitionProperty: 'left, top',
    transitionDuration: '30ms',
    transitionTimingFunction: 'linear',
  },
  image: {
    position: 'absolute',
    pointerEvents: 'none',
    imageRendering: 'pixelated',
    transitionProperty: 'left, top',
    transitionDuration: '30ms',
    transitionTimingFunction: 'linear',
  },
});

/**
 * CSS pixels per pixel of the pointer's image, for a picture drawn at `pictureScale`: the
 * picture's when it is enlarged, else 1. A picture fitted into a window shrinks a 1080p screen
 * to a third or less, and a pointer shrunk with it (a caret of 6 pixels) is lost on the
 * picture: like a local pointer over a thumbnail, it keeps the size it has on the sharer's
 * screen. Its hot spot is scaled the same way, so the point it shows stays exact.
 */
export function cursorImageScale(pictureScale: number): number {
  return Math.max(pictureScale, 1);
}

/** Props of {@link RemoteCursor}. */
export interface RemoteCursorProps {
  link: ControlChannels | null;
  /** CSS pixels of the picture per pixel of the sharer's screen (its image is drawn at that scale). */
  scale: number;
}

/** See the module description. */
export function RemoteCursor({ link, scale }: RemoteCursorProps) {
  const styles = useStyles();
  const [position, setPosition] = useState<Point | null>(null);
  const [shape, setShape] = useState<CursorImage | null>(null);
  const source = useMemo(() => (shape ? `data:image/png;base64,${shape.png}` : null), [shape]);

  useEffect(() => {
    if (!link) return;
    setPosition(link.cursor);
    setShape(link.cursorShape);
    const offMove = link.on('cursor', setPosition);
    const offShape = link.on('cursorShape', setShape);
    return () => {
      offMove();
      offShape();
      setPosition(null);
      setShape(null);
    };
  }, [link]);

  if (!position) return null;
  if (shape && source && scale > 0) {
    const drawn = cursorImageScale(scale);
    return (
      <img
        className={styles.image}
        src={source}
        alt=""
        draggable={false}
        style={{
          left: `calc(${position.x * 100}% - ${shape.hotX * drawn}px)`,
          top: `calc(${position.y * 100}% - ${shape.hotY * drawn}px)`,
          width: `${shape.width * drawn}px`,
          height: `${shape.height * drawn}px`,
        }}
        data-testid="remote-cursor"
        data-shape={`${shape.width}x${shape.height}+${shape.hotX}+${shape.hotY}`}
        aria-hidden
      />
    );
  }
  // Inline physical offsets: the picture never mirrors, whatever the page direction.
  return (
    <svg
      className={styles.cursor}
      style={{ left: `${position.x * 100}%`, top: `${position.y * 100}%` }}
      viewBox="0 0 16 24"
      data-testid="remote-cursor"
      aria-hidden
      focusable="false"
    >
      <path
        d="M1 1 L1 19 L5.5 14.5 L8.5 22 L11.5 20.8 L8.5 13.5 L14.5 13.5 Z"
        fill="#fff"
        stroke="#000"
        strokeWidth="1.2"
      />
    </svg>
  );
}
