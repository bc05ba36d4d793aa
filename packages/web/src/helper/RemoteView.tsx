/**
 * @module RemoteView
 * Helper, `active`: the sharer's screen. Toolbar with Fit to window / Actual size, the
 * control tools (laser pointer, display, mode, Request full control), the picture's
 * status and Leave; what the sharer decided about full control. The picture is shown as
 * live only when it is (`pictureState`): otherwise a notice says why (reconnecting, the
 * sharer offline, choosing what to share after a reload, paused, their device unable to
 * share) and the picture is dimmed under "Not live", or hidden while paused. With full
 * control a live picture takes the helper's mouse and keyboard (see `control/`); a picture
 * that is not live takes no input and no laser.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
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
import { ConnectionCheck } from '../common/ConnectionCheck';
import { Panel } from '../common/Panel';
import { useNow } from '../common/useNow';
import { ControlNotices } from './control/ControlNotices';
import { ControlToolbar } from './control/ControlToolbar';
import { RemoteSurface } from './control/RemoteSurface';
import { useDataChannels } from './control/useDataChannels';
import { useTileCanvas } from './tiles/useTileCanvas';
import { PictureOverlay } from './PictureOverlay';
import { pictureState } from './pictureState';
import type { PictureState } from './pictureState';
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
  frame: { position: 'relative' },
  footer: { display: 'flex', justifyContent: 'flex-end' },
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

type PillKey = 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'notLive';

/** The toolbar's status badge: green "Connected" only while the picture is live. */
function pillOf(state: PictureState): { key: PillKey; color: 'success' | 'warning' | 'informative' } {
  if (state === 'live') return { key: 'connected', color: 'success' };
  if (state === 'connecting') return { key: 'connecting', color: 'informative' };
  if (state === 'paused') return { key: 'paused', color: 'informative' };
  if (state === 'reconnecting') return { key: 'reconnecting', color: 'warning' };
  return { key: 'notLive', color: 'warning' };
}

/** See the module description. */
export function RemoteView({ session, receiver, permissions, busy, onRequestControl, onLeave }: RemoteViewProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const toolbar = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState(true);
  const [laserWanted, setLaserWanted] = useState(false);
  const { link, snapshot } = useDataChannels(receiver.channels);
  const tiles = useTileCanvas(receiver.channels.get(TILES_CHANNEL), receiver.openedBeforeActive, receiver.stream);
  const name = session.sharer?.displayName ?? t('common.someone');
  const { stream, connectionState } = receiver;
  const [offlineSince, setOfflineSince] = useState<number | null>(null);
  useEffect(() => setOfflineSince(session.peerOnline ? null : Date.now()), [session.peerOnline]);
  const now = useNow(250, offlineSince !== null);
  const offlineForMs = offlineSince === null ? 0 : now - offlineSince;
  const picture = pictureState(session, connectionState, receiver.everConnected, offlineForMs);
  const live = picture === 'live';
  const pill = pillOf(picture);
  const laser = laserWanted && session.sharerClient === 'agent' && snapshot.controlOpen && live;
  // The agent's screen comes as tiles when it opened a `tiles` channel, otherwise as video.
  const shown = tiles ? tiles.painted : stream !== null;
  const capturing = session.mode === 'control' && snapshot.inputOpen && shown && !laser && live;

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
            color={pill.color}
            data-testid="connection-status"
            data-picture={picture}
            role="status"
          >
            {t(`helper.remote.${pill.key}`)}
          </Badge>
          <Button appearance="primary" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
            {t('common.leave')}
          </Button>
        </div>
      </div>
      {live || picture === 'connecting' ? null : (
        <MessageBar
          intent={picture === 'paused' || picture === 'choosing' ? 'info' : 'warning'}
          role="status"
          data-testid="picture-notice"
          data-state={picture}
        >
          <MessageBarBody>{t(`helper.remote.picture.${picture}`, { name })}</MessageBarBody>
        </MessageBar>
      )}
      {receiver.relay && !live ? (
        // IT staff can act on this one: the relay is their organization's (TURN settings).
        <MessageBar intent="error" role="alert" data-testid="relay-notice" data-problem={receiver.relay}>
          <MessageBarBody>{t(`helper.remote.relay.${receiver.relay}`, { name })}</MessageBarBody>
        </MessageBar>
      ) : null}
      <ControlNotices session={session} />
      <div className={styles.frame}>
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
        {live || picture === 'connecting' ? null : <PictureOverlay state={picture} name={name} />}
      </div>
      {receiver.check && session.state === 'active' ? (
        // Under the picture, where the toolbar's row stays free: read aloud, compared with the sharer's.
        // (Before Allow the view is mounted hidden and the waiting screen shows the check instead.)
        <div className={styles.footer}>
          <ConnectionCheck check={receiver.check} name={name} />
        </div>
      ) : null}
    </Panel>
  );
}
