/**
 * @module PictureOverlay
 * Lies over the sharer's picture whenever it is not live (see `pictureState`): the last
 * frame stays visible but dimmed under a "Not live" badge and the reason, or, while the
 * sharer paused, a neutral backdrop hides it altogether. It also takes the pointer, so
 * nothing on a stale picture can be clicked.
 */
import { useTranslation } from 'react-i18next';
import { Badge, Body1Strong, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { PauseRegular, PlugDisconnectedRegular } from '@fluentui/react-icons';
import type { PictureState } from './pictureState';

const useStyles = makeStyles({
  overlay: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalXXL,
    textAlign: 'center',
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForegroundStaticInverted,
    // Stale: the last frame shows through, dimmed.
    backgroundColor: 'rgba(0, 0, 0, 0.62)',
    backdropFilter: 'grayscale(1)',
  },
  // Paused: nothing of the last frame is shown.
  hidden: {
    backgroundColor: tokens.colorNeutralBackground5,
    color: tokens.colorNeutralForeground1,
    backdropFilter: 'none',
  },
  badge: {
    position: 'absolute',
    insetBlockStart: tokens.spacingVerticalM,
    insetInlineStart: tokens.spacingHorizontalM,
  },
  icon: { fontSize: '40px' },
});

/** Props of {@link PictureOverlay}. */
export interface PictureOverlayProps {
  state: Exclude<PictureState, 'live' | 'connecting'>;
  /** The sharer's name. */
  name: string;
}

/** See the module description. */
export function PictureOverlay({ state, name }: PictureOverlayProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const paused = state === 'paused';
  return (
    <div
      className={mergeClasses(styles.overlay, paused && styles.hidden)}
      data-testid="picture-stale"
      data-state={state}
      aria-hidden
    >
      <Badge className={styles.badge} appearance="filled" color={paused ? 'informative' : 'warning'}>
        {paused ? t('helper.remote.paused') : t('helper.remote.notLive')}
      </Badge>
      {paused ? <PauseRegular className={styles.icon} /> : <PlugDisconnectedRegular className={styles.icon} />}
      <Body1Strong>{t(`helper.remote.picture.${state}`, { name })}</Body1Strong>
    </div>
  );
}
