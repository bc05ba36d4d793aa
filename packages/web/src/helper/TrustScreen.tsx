/**
 * @module TrustScreen
 * Helper, `joined`: who entered the code (or, after a remote launch, who accepted the request on
 * the device), and what to ask them for: View only, or
 * Full control (only with the native agent and the `remoteHelp.takeFullControl` permission).
 * Before either, what is known of the sharer's device: a compliance warning or an
 * unenrolled notice (`SharerDeviceNotice`); neither blocks the session.
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, Caption1, Tooltip } from '@fluentui/react-components';
import { EyeRegular, CursorClickRegular, SignOutRegular } from '@fluentui/react-icons';
import type { Permission, SessionMode, SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { PeerCard } from '../common/PeerCard';
import { joinedVia } from './joinAlert';
import { SharerDeviceNotice } from './SharerDeviceNotice';

/** Props of {@link TrustScreen}. */
export interface TrustScreenProps {
  session: SessionView;
  permissions: readonly Permission[];
  busy: boolean;
  onRequest: (mode: SessionMode) => void;
  onLeave: () => void;
}

/** See the module description. */
export function TrustScreen({ session, permissions, busy, onRequest, onLeave }: TrustScreenProps) {
  const { t } = useTranslation();
  const sharer = session.sharer;
  const name = sharer?.displayName ?? t('common.someone');
  // The device's name is its own choice: isolated (FSI … PDI) inside the sentence.
  const device = `\u2068${session.device?.name ?? t('helper.trust.device.unnamed')}\u2069`;
  const intro =
    joinedVia(session) === 'launch'
      ? t('helper.trust.introLaunch', { name, device })
      : t('helper.trust.intro', { name });
  // The role comes first: with it missing, the sharer's app would not make full control possible either.
  const controlBlocked = !permissions.includes('remoteHelp.takeFullControl')
    ? t('helper.trust.noPermission')
    : session.sharerClient !== 'agent'
      ? t('helper.trust.needsAgent')
      : null;

  const fullControl = (
    <Button
      size="large"
      icon={<CursorClickRegular />}
      disabledFocusable={busy || controlBlocked !== null}
      onClick={() => onRequest('control')}
    >
      {t('helper.trust.fullControl')}
    </Button>
  );

  return (
    <Panel
      title={t('helper.trust.title')}
      actions={
        <>
          <Button
            appearance="primary"
            size="large"
            icon={<EyeRegular />}
            disabled={busy}
            onClick={() => onRequest('view')}
          >
            {t('helper.trust.viewOnly')}
          </Button>
          {controlBlocked ? (
            <Tooltip content={controlBlocked} relationship="description" withArrow>
              {fullControl}
            </Tooltip>
          ) : (
            fullControl
          )}
          <Button size="large" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
            {t('common.leave')}
          </Button>
        </>
      }
    >
      <Body1 data-testid="trust-intro">{intro}</Body1>
      {sharer ? <PeerCard person={sharer} /> : null}
      <SharerDeviceNotice session={session} permissions={permissions} />
      {controlBlocked ? <Caption1 data-testid="full-control-unavailable">{controlBlocked}</Caption1> : null}
    </Panel>
  );
}
