/**
 * @module LaserPointer
 * The helper's own laser dot, drawn where their pointer is over the picture (the sharer
 * sees the same dot, drawn by the agent). Place it in the picture layer.
 */
import { makeStyles } from '@fluentui/react-components';
import type { Point } from './coordinates';

const useStyles = makeStyles({
  dot: {
    position: 'absolute',
    width: '14px',
    height: '14px',
    borderRadius: '50%',
    pointerEvents: 'none',
    backgroundColor: 'rgba(255, 32, 32, 0.9)',
    boxShadow: '0 0 6px 3px rgba(255, 32, 32, 0.55), 0 0 0 1px rgba(255, 255, 255, 0.8)',
  },
});

/** Props of {@link LaserPointer}. */
export interface LaserPointerProps {
  /** Normalized position, or null when the pointer is not over the picture. */
  position: Point | null;
}

/** See the module description. */
export function LaserPointer({ position }: LaserPointerProps) {
  const styles = useStyles();
  if (!position) return null;
  return (
    <span
      className={styles.dot}
      style={{ left: `${position.x * 100}%`, top: `${position.y * 100}%`, transform: 'translate(-50%, -50%)' }}
      data-testid="laser-dot"
      aria-hidden
    />
  );
}
