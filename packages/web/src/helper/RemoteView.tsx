/**
 * @module RemoteView
 * Helper, `active`: the sharer's screen. Toolbar with Fit to window / Actual size, the
 * control tools (laser pointer, display, mode, Request full control), the connection
 * status and Leave; a warning as soon as the connection is interrupted, and what the
 * sharer decided about full control. With full control the picture takes the helper's
 * mouse and keyboard (see `control/`).
 */
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Button,
  makeStyles,
  MessageBar,
  MessageBarBody,
  ToggleButton,
  tokens,
} from '@fluentui/react-components';
import { ArrowMaximizeRegular, ScaleFitRegular, SignOutRegular } from '@fluentui/react-icons';
import { TILES_CHANNEL, type Permission, type SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { ControlNotices } from './control/ControlNotices';
import { ControlToolbar } from './control/ControlToolbar';
import { RemoteSurface } from './control/RemoteSurface';
import { useDataChannels } from './control/useDataChannels';
import { useTileCanvas } from './tiles/useTileCanvas';
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
  // Connection and Leave stay together at the end of the row, also when the toolbar wraps.
  end: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalS, marginInlineStart: 'auto' },
});

/** Props of {@link RemoteView}. */
export interface RemoteViewProps {
  session: SessionView;
  receiver: ReceiverState;
  /** The helper's permissions (Request full control needs `remoteHelp.takeFullControl`). */
  permissions: readonly Permission[];
  busy: boolean;
  onRequestControl: () => void;
  onLeave: () => void;
}

type Pill = 'connecting' | 'connected' | 'reconnecting';

function pillOf(receiver: ReceiverState, peerOnline: boolean): Pill {
  if (receiver.connectionState === 'connected' && peerOnline) return 'connected';
  return receiver.everConnected || !peerOnline ? 'reconnecting' : 'connecting';
}

/** See the module description. */
export function RemoteView({ session, receiver, permissions, busy, onRequestControl, onLeave }: RemoteViewProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const toolbar = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState(true);
  const [laserWanted, setLaserWanted] = useState(false);
  const { link, snapshot } = useDataChannels(receiver.channels);
  const tiles = useTileCanvas(receiver.channels.get(TILES_CHANNEL));
  const name = session.sharer?.displayName ?? t('common.someone');
  const { stream, connectionState } = receiver;
  const interrupted = connectionState === 'failed' || connectionState === 'disconnected';
  const pill = pillOf(receiver, session.peerOnline);
  const laser = laserWanted && session.sharerClient === 'agent' && snapshot.controlOpen;
  // The agent's screen comes as tiles when it opened a `tiles` channel, otherwise as video.
  const shown = tiles ? tiles.painted : stream !== null;
  const capturing = session.mode === 'control' && snapshot.inputOpen && shown && !laser;

  const leaveSurface = useCallback(() => {
    toolbar.current?.querySelector<HTMLElement>('button:not([aria-disabled="true"])')?.focus();
  }, []);
  const selectDisplay = useCallback((id: string) => link?.sendControl({ type: 'selectDisplay', id }), [link]);

  return (
    <Panel width="wide" className={styles.panel} title={t('helper.remote.title', { name })} focusHeading={false}>
      <div ref={toolbar} className={styles.toolbar} role="toolbar" aria-label={t('helper.remote.toolbar')}>
        <div className={styles.group} role="group" aria-label={t('helper.remote.sizeGroup')}>
          <ToggleButton checked={fit} icon={<ScaleFitRegular />} onClick={() => setFit(true)}>
            {t('helper.remote.fit')}
          </ToggleButton>
          <ToggleButton checked={!fit} icon={<ArrowMaximizeRegular />} onClick={() => setFit(false)}>
            {t('helper.remote.actual')}
          </ToggleButton>
        </div>
        <ControlToolbar
          session={session}
          permissions={permissions}
          snapshot={snapshot}
          laser={laser}
          onLaserChange={setLaserWanted}
          onSelectDisplay={selectDisplay}
          onRequestControl={onRequestControl}
          busy={busy}
        />
        <div className={styles.end}>
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
      </div>
      {interrupted ? (
        <MessageBar intent="warning" data-testid="connection-interrupted">
          <MessageBarBody>{t('helper.remote.interrupted', { name })}</MessageBarBody>
        </MessageBar>
      ) : null}
      <ControlNotices session={session} />
      <RemoteSurface
        stream={stream}
        tiles={tiles}
        shown={shown}
        fit={fit}
        name={name}
        link={link}
        capturing={capturing}
        laser={laser}
        onLeaveShortcut={leaveSurface}
      />
    </Panel>
  );
}
