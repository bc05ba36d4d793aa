/**
 * @module TrustScreen
 * Helper, `joined`: who entered the code, and what to ask them for: View only, or
 * Full control (only with the native agent and the `remoteHelp.takeFullControl` permission).
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, Tooltip } from '@fluentui/react-components';
import { EyeRegular, CursorClickRegular, SignOutRegular } from '@fluentui/react-icons';
import type { Permission, SessionMode, SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { PeerCard } from '../common/PeerCard';

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
  const controlBlocked =
    session.sharerClient !== 'agent'
      ? t('helper.trust.needsAgent')
      : !permissions.includes('remoteHelp.takeFullControl')
        ? t('helper.trust.noPermission')
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
      <Body1>{t('helper.trust.intro', { name })}</Body1>
      {sharer ? <PeerCard person={sharer} /> : null}
    </Panel>
  );
}
