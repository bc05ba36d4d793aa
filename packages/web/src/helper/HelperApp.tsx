/**
 * @module HelperApp
 * `/help`: the helper's side of a session. The session pushed over signaling decides
 * the screen: start → code (`waiting`) → trust (`joined`) → waiting for the sharer
 * (`requested`) → remote screen (`active`) → ended.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Spinner } from '@fluentui/react-components';
import type { SessionMode, SessionView } from '@remote-help/protocol';
import type { DeviceView } from '@remote-help/protocol';
import { createSession, launchOnDevice, leaveSession, requestMode } from '../common/endpoints';
import { EndedScreen } from '../common/EndedScreen';
import { useMe } from '../common/meContext';
import { SessionNotices } from '../common/SessionNotices';
import { useAsyncAction } from '../common/useAsyncAction';
import { useSession } from '../common/useSession';
import { useSignaling } from '../common/useSignaling';
import { CodeScreen } from './CodeScreen';
import { LaunchScreen } from './LaunchScreen';
import { forgetCode, loadCode, saveCode } from './codeStore';
import { RemoteView } from './RemoteView';
import { RequestedScreen } from './RequestedScreen';
import { StartScreen } from './StartScreen';
import { TrustScreen } from './TrustScreen';
import { useReceiver } from './useReceiver';

/** The translated reason a session ended, from the helper's point of view. */
function endedMessage(t: TFunction, session: SessionView): string {
  const name = session.sharer?.displayName ?? t('common.someone');
  return session.endReason ? t(`helper.ended.${session.endReason}`, { name }) : t('helper.ended.unknown');
}

/** See the module description. */
export function HelperApp() {
  const { t } = useTranslation();
  const { state: meState } = useMe();
  const signaling = useSignaling();
  const { session, loading, loadError, adopt, reset, clearLoadError } = useSession(signaling.client, 'helper');
  const receiver = useReceiver(signaling.client, session);
  const action = useAsyncAction();
  const { run, clearError } = action;
  const permissions = meState.status === 'signedIn' ? meState.me.permissions : [];
  const sessionId = session?.id ?? null;
  const latest = useRef(session);
  useEffect(() => {
    latest.current = session;
  }, [session]);

  const start = useCallback(() => {
    run(async () => {
      const created = await createSession();
      saveCode(created.session.id, created.code);
      adopt(created.session);
    });
  }, [run, adopt]);

  const launch = useCallback(
    (device: DeviceView) => {
      run(async () => adopt(await launchOnDevice(device.id)));
    },
    [run, adopt],
  );

  const leave = useCallback(() => {
    if (!sessionId) return;
    run(async () => adopt(await leaveSession(sessionId)));
  }, [run, adopt, sessionId]);

  const request = useCallback(
    (mode: SessionMode) => {
      if (!sessionId) return;
      const before = latest.current;
      run(async () => {
        const reply = await requestMode(sessionId, mode);
        // During an active session the state does not advance, so a reply cannot be ordered
        // against pushes: once a push has arrived it is at least as new, and the reply loses.
        if (reply.state === 'active' && latest.current !== before) return;
        adopt(reply);
      });
    },
    [run, adopt, sessionId],
  );

  const requestControl = useCallback(() => request('control'), [request]);

  const again = useCallback(() => {
    if (sessionId) forgetCode(sessionId);
    clearError();
    reset();
  }, [sessionId, clearError, reset]);

  const dismissError = useCallback(() => {
    clearError();
    clearLoadError();
  }, [clearError, clearLoadError]);

  let screen;
  if (loading) screen = <Spinner label={t('app.loading')} />;
  else if (!session)
    screen = (
      <StartScreen
        busy={action.busy}
        onStart={start}
        onLaunch={launch}
        showDevices={permissions.includes('remoteTasks.offerRemoteAssistance')}
      />
    );
  else if (session.state === 'waiting' && session.device) {
    screen = <LaunchScreen deviceName={session.device.name} busy={action.busy} onCancel={leave} />;
  } else if (session.state === 'waiting') {
    screen = (
      <CodeScreen
        code={loadCode(session.id)}
        codeExpiresAt={session.codeExpiresAt}
        busy={action.busy}
        onCancel={leave}
      />
    );
  } else if (session.state === 'joined') {
    screen = (
      <TrustScreen session={session} permissions={permissions} busy={action.busy} onRequest={request} onLeave={leave} />
    );
  } else if (session.state === 'requested') {
    screen = <RequestedScreen session={session} busy={action.busy} onLeave={leave} />;
  } else if (session.state === 'active') {
    screen = (
      <RemoteView
        session={session}
        receiver={receiver}
        permissions={permissions}
        busy={action.busy}
        onRequestControl={requestControl}
        onLeave={leave}
      />
    );
  } else {
    screen = (
      <EndedScreen
        title={t('helper.title')}
        message={endedMessage(t, session)}
        reason={session.endReason}
        againLabel={t('common.newSession')}
        onAgain={again}
      />
    );
  }

  return (
    <>
      <SessionNotices
        signaling={signaling}
        session={session}
        peerName={session?.sharer?.displayName ?? null}
        actionError={action.error ?? loadError}
        onDismissActionError={dismissError}
      />
      {screen}
    </>
  );
}
