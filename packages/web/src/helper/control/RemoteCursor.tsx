/**
 * @module RemoteCursor
 * The sharer's mouse pointer drawn over the picture (the captured picture does not
 * contain it), from the agent's `cursor` messages. Place it in the picture layer: its
 * position is a percentage of the picture, so it stays right in fit and actual size.
 */
import { useEffect, useState } from 'react';
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
});

/** Props of {@link RemoteCursor}. */
export interface RemoteCursorProps {
  link: ControlChannels | null;
}

/** See the module description. */
export function RemoteCursor({ link }: RemoteCursorProps) {
  const styles = useStyles();
  const [position, setPosition] = useState<Point | null>(null);

  useEffect(() => {
    if (!link) return;
    setPosition(link.cursor);
    const off = link.on('cursor', setPosition);
    return () => {
      off();
      setPosition(null);
    };
  }, [link]);

  if (!position) return null;
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
