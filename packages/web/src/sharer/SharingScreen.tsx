/**
 * @module SharingScreen
 * Sharer, `active`: "You are sharing your screen with …", a small local preview, and
 * Stop sharing / Leave (both end the session).
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, Body1, Button, makeStyles, tokens } from '@fluentui/react-components';
import { ShareScreenStopRegular, SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
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
});

/** Props of {@link SharingScreen}. */
export interface SharingScreenProps {
  session: SessionView;
  stream: MediaStream;
  connectionState: RTCPeerConnectionState;
  busy: boolean;
  onLeave: () => void;
}

/** See the module description. */
export function SharingScreen({ session, stream, connectionState, busy, onLeave }: SharingScreenProps) {
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
      title={t('sharer.sharing.status', { name })}
      data-testid="sharing"
      actions={
        <>
          <Button appearance="primary" size="large" icon={<ShareScreenStopRegular />} disabled={busy} onClick={onLeave}>
            {t('sharer.sharing.stop')}
          </Button>
          <Button size="large" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
            {t('common.leave')}
          </Button>
        </>
      }
    >
      <div className={styles.status} role="status">
        <Badge appearance="filled" color={connected ? 'success' : 'warning'} data-testid="connection-status">
          {connected ? t('sharer.sharing.connected') : t('sharer.sharing.connecting')}
        </Badge>
        <Body1>{t('sharer.sharing.body', { name })}</Body1>
      </div>
      <video
        ref={preview}
        className={styles.preview}
        aria-label={t('sharer.sharing.previewLabel')}
        data-testid="local-preview"
        autoPlay
        playsInline
        muted
      />
    </Panel>
  );
}
