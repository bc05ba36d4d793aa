/**
 * @module RemoteView
 * Helper, `active`: the sharer's screen. Toolbar with Fit to window / Actual size, the
 * connection status and Leave; a warning as soon as the connection is interrupted.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  mergeClasses,
  Spinner,
  ToggleButton,
  tokens,
} from '@fluentui/react-components';
import { ArrowMaximizeRegular, ScaleFitRegular, SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import type { ReceiverState } from './useReceiver';

const useStyles = makeStyles({
  panel: { paddingBlock: tokens.spacingVerticalL, gap: tokens.spacingVerticalM },
  toolbar: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
  },
  group: { display: 'inline-flex', gap: tokens.spacingHorizontalXS },
  spacer: { flexGrow: 1 },
  stage: {
    position: 'relative',
    height: 'calc(100vh - 260px)',
    minHeight: '240px',
    backgroundColor: tokens.colorNeutralBackgroundStatic,
    borderRadius: tokens.borderRadiusMedium,
    overflow: 'hidden',
  },
  scroll: { overflow: 'auto' },
  videoFit: { display: 'block', width: '100%', height: '100%', objectFit: 'contain' },
  videoActual: { display: 'block', width: 'auto', height: 'auto', maxWidth: 'none', maxHeight: 'none' },
  overlay: {
    position: 'absolute',
    inset: 0,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: tokens.colorNeutralForegroundStaticInverted,
  },
});

/** Props of {@link RemoteView}. */
export interface RemoteViewProps {
  session: SessionView;
  receiver: ReceiverState;
  busy: boolean;
  onLeave: () => void;
}

type Pill = 'connecting' | 'connected' | 'reconnecting';

function pillOf(receiver: ReceiverState, peerOnline: boolean): Pill {
  if (receiver.connectionState === 'connected' && peerOnline) return 'connected';
  return receiver.everConnected || !peerOnline ? 'reconnecting' : 'connecting';
}

/** See the module description. */
export function RemoteView({ session, receiver, busy, onLeave }: RemoteViewProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [fit, setFit] = useState(true);
  const name = session.sharer?.displayName ?? t('common.someone');
  const { stream, connectionState } = receiver;
  const interrupted = connectionState === 'failed' || connectionState === 'disconnected';
  const pill = pillOf(receiver, session.peerOnline);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    // React sets `muted` as a property only; mirror it as an attribute as well.
    element.muted = true;
    element.setAttribute('muted', '');
    element.srcObject = stream;
    if (stream) element.play().catch(() => undefined);
  }, [stream]);

  return (
    <Panel width="wide" className={styles.panel} title={t('helper.remote.title', { name })} focusHeading={false}>
      <div className={styles.toolbar} role="toolbar" aria-label={t('helper.remote.toolbar')}>
        <div className={styles.group} role="group" aria-label={t('helper.remote.sizeGroup')}>
          <ToggleButton checked={fit} icon={<ScaleFitRegular />} onClick={() => setFit(true)}>
            {t('helper.remote.fit')}
          </ToggleButton>
          <ToggleButton checked={!fit} icon={<ArrowMaximizeRegular />} onClick={() => setFit(false)}>
            {t('helper.remote.actual')}
          </ToggleButton>
        </div>
        <Badge appearance="outline" color="informative">
          {session.mode === 'control' ? t('helper.remote.controlMode') : t('helper.remote.viewMode')}
        </Badge>
        <div className={styles.spacer} />
        <Badge
          appearance="filled"
          color={pill === 'connected' ? 'success' : pill === 'reconnecting' ? 'warning' : 'informative'}
          data-testid="connection-status"
          role="status"
        >
          {t(`helper.remote.${pill}`)}
        </Badge>
        <Button appearance="primary" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
          {t('common.leave')}
        </Button>
      </div>
      {interrupted ? (
        <MessageBar intent="warning" data-testid="connection-interrupted">
          <MessageBarBody>{t('helper.remote.interrupted', { name })}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={mergeClasses(styles.stage, !fit && styles.scroll)}>
        <video
          ref={video}
          data-testid="remote-video"
          className={fit ? styles.videoFit : styles.videoActual}
          aria-label={t('helper.remote.videoLabel', { name })}
          autoPlay
          playsInline
          muted
        />
        {stream ? null : (
          <div className={styles.overlay}>
            <Spinner appearance="inverted" labelPosition="below" label={t('helper.remote.waitingVideo', { name })} />
          </div>
        )}
      </div>
    </Panel>
  );
}
