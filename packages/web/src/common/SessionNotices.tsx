/**
 * @module SessionNotices
 * Non-fatal notices above a session screen: the signaling socket is reconnecting, the
 * other participant is offline, the server refused a message (error frame), or the
 * last action failed.
 */
import { useTranslation } from 'react-i18next';
import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, tokens } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { errorText, frameToError } from './errorText';
import type { SignalingState } from './useSignaling';

const useStyles = makeStyles({
  stack: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    maxWidth: '1400px',
    marginInline: 'auto',
    marginBlockEnd: tokens.spacingVerticalM,
    ':empty': { display: 'none' },
  },
});

/** Props of {@link SessionNotices}. */
export interface SessionNoticesProps {
  signaling: SignalingState;
  session: SessionView | null;
  /** Display name of the other participant, when known. */
  peerName: string | null;
  /** The failure of the last user action, if any. */
  actionError: unknown;
  onDismissActionError: () => void;
}

/** See the module description. */
export function SessionNotices({
  signaling,
  session,
  peerName,
  actionError,
  onDismissActionError,
}: SessionNoticesProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const live = session !== null && session.state !== 'ended';
  const dismiss = (onClick: () => void) => (
    <MessageBarActions
      containerAction={
        <Button appearance="transparent" icon={<DismissRegular />} aria-label={t('common.dismiss')} onClick={onClick} />
      }
    />
  );

  return (
    <div className={styles.stack}>
      {actionError ? (
        <MessageBar intent="error" role="alert" data-testid="action-error">
          <MessageBarBody>{errorText(t, actionError)}</MessageBarBody>
          {dismiss(onDismissActionError)}
        </MessageBar>
      ) : null}
      {signaling.lastError ? (
        <MessageBar intent="warning" data-testid="server-error">
          <MessageBarBody>{errorText(t, frameToError(signaling.lastError))}</MessageBarBody>
          {dismiss(signaling.dismissError)}
        </MessageBar>
      ) : null}
      {live && signaling.status === 'reconnecting' ? (
        <MessageBar intent="warning" role="status">
          <MessageBarBody>{t('common.serverReconnecting')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {live && session.state !== 'waiting' && !session.peerOnline ? (
        <MessageBar intent="info" role="status" data-testid="peer-offline">
          <MessageBarBody>{t('common.peerOffline', { name: peerName ?? t('common.someone') })}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
