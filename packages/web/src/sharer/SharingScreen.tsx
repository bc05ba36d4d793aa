/**
 * @module SharingScreen
 * Sharer, `active`: "You are sharing your screen with …", a small local preview, and
 * Pause sharing / Resume sharing (to type a password unseen: no pixels leave the device
 * while paused, and resuming needs no new request) and Leave (ends the session).
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, Body1, Button, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { PauseRegular, PlayRegular, SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { ConnectionCheck } from '../common/ConnectionCheck';
import { Panel } from '../common/Panel';

const useStyles = makeStyles({
  status: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  preview: {
    display: 'block',
    width: '100%',
    maxWidth: '360px',
    aspectRatio: '16 / 9',
    backgroundColor: tokens.colorNeutralBackgroundStatic,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  previewPaused: { opacity: 0.35, filter: 'grayscale(1)' },
});

/** Props of {@link SharingScreen}. */
export interface SharingScreenProps {
  session: SessionView;
  stream: MediaStream;
  connectionState: RTCPeerConnectionState;
  /** The connection check to compare with the helper's, once negotiated (see `ConnectionCheck`). */
  check: string | null;
  /** The share is paused: the helper sees nothing until Resume. */
  paused: boolean;
  busy: boolean;
  onPause: () => void;
  onResume: () => void;
  onLeave: () => void;
}

/** See the module description. */
export function SharingScreen({
  session,
  stream,
  connectionState,
  check,
  paused,
  busy,
  onPause,
  onResume,
  onLeave,
}: SharingScreenProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const preview = useRef<HTMLVideoElement>(null);
  const name = session.helper.displayName;
  const connected = connectionState === 'connected';

  useEffect(() => {
    const element = preview.current;
    if (!element) return;
    element.muted = true;
    element.srcObject = stream;
    element.play().catch(() => undefined);
  }, [stream]);

  return (
    <Panel
      title={paused ? t('sharer.sharing.pausedStatus', { name }) : t('sharer.sharing.status', { name })}
      data-testid="sharing"
      data-paused={paused}
      actions={
        <>
          {paused ? (
            <Button appearance="primary" size="large" icon={<PlayRegular />} disabled={busy} onClick={onResume}>
              {t('sharer.sharing.resume')}
            </Button>
          ) : (
            <Button appearance="primary" size="large" icon={<PauseRegular />} disabled={busy} onClick={onPause}>
              {t('sharer.sharing.pause')}
            </Button>
          )}
          <Button size="large" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
            {t('common.leave')}
          </Button>
        </>
      }
    >
      <div className={styles.status} role="status">
        {paused ? (
          <Badge appearance="filled" color="informative" data-testid="connection-status">
            {t('sharer.sharing.paused')}
          </Badge>
        ) : (
          <Badge appearance="filled" color={connected ? 'success' : 'warning'} data-testid="connection-status">
            {connected
              ? t('sharer.sharing.connected')
              : connectionState === 'disconnected'
                ? t('sharer.sharing.reconnecting')
                : t('sharer.sharing.connecting')}
          </Badge>
        )}
        <Body1>{paused ? t('sharer.sharing.pausedBody', { name }) : t('sharer.sharing.body', { name })}</Body1>
      </div>
      <ConnectionCheck check={check} name={name} />
      <video
        ref={preview}
        className={mergeClasses(styles.preview, paused && styles.previewPaused)}
        aria-label={t('sharer.sharing.previewLabel')}
        data-testid="local-preview"
        autoPlay
        playsInline
        muted
      />
    </Panel>
  );
}
