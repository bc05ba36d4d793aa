/**
 * @module SessionNotices
 * Non-fatal notices above a session screen: the signaling socket is reconnecting, the
 * other participant is offline, the server refused a message (error frame), or the
 * last action failed. The helper's remote view says itself that the sharer is offline
 * (over the picture, see `helper/pictureState`), so this does not repeat it there.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, makeStyles, MessageBar, MessageBarActions, MessageBarBody, tokens } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { errorText, frameToError } from './errorText';
import { SignInAgainLink } from './SignInAgainLink';
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
  /** Puts a failure into words (default `errorText`), e.g. a refusal in the helper's terms. */
  describeError?: (error: unknown) => string;
}

/** See the module description. */
export function SessionNotices({
  signaling,
  session,
  peerName,
  actionError,
  onDismissActionError,
  describeError,
}: SessionNoticesProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const describe = (error: unknown) => (describeError ? describeError(error) : errorText(t, error));
  const live = session !== null && session.state !== 'ended';
  const offlineShownByRemoteView = session?.role === 'helper' && session.state === 'active';
  const { lastError, dismissError } = signaling;
  // An error about a session dies with it: once that session has ended or another one is shown
  // (New session, a new tab's resume), it is dropped instead of lingering over later screens.
  const errorSession = lastError?.sessionId ?? null;
  const stale = errorSession !== null && (!live || errorSession !== session.id);
  useEffect(() => {
    if (stale) dismissError();
  }, [stale, dismissError]);
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
          <MessageBarBody>
            {describe(actionError)} <SignInAgainLink error={actionError} />
          </MessageBarBody>
          {dismiss(onDismissActionError)}
        </MessageBar>
      ) : null}
      {lastError && !stale ? (
        <MessageBar intent="warning" data-testid="server-error">
          <MessageBarBody>
            {describe(frameToError(lastError))} <SignInAgainLink error={frameToError(lastError)} />
          </MessageBarBody>
          {dismiss(dismissError)}
        </MessageBar>
      ) : null}
      {live && signaling.status === 'reconnecting' ? (
        <MessageBar intent="warning" role="status">
          <MessageBarBody>{t('common.serverReconnecting')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {live && session.state !== 'waiting' && !session.peerOnline && !offlineShownByRemoteView ? (
        <MessageBar intent="info" role="status" data-testid="peer-offline">
          <MessageBarBody>{t('common.peerOffline', { name: peerName ?? t('common.someone') })}</MessageBarBody>
        </MessageBar>
      ) : null}
    </div>
  );
}
