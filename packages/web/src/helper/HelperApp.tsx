/**
 * @module HelperApp
 * `/help`: the helper's side of a session. The session pushed over signaling decides
 * the screen: start → code (`waiting`) → trust (`joined`) → waiting for the sharer
 * (`requested`) → remote screen (`active`) → ended. A person whose role does not let them give
 * help is told so instead (`NoHelperRights`). While the sharer waits for the helper, the tab title
 * and a notification say so (`useJoinAlert`). While the native agent's sharer reads the request
 * over a connection already made (ADR 0023), the remote view is mounted and laid out below the
 * request, invisible, in a box of no height (so it takes no room on the page): Allow then removes
 * the request and gives the box its height, and the view's own style and layout are done already
 * (40–60 ms of the helper's main thread in the first frame's path when it was `display: none`);
 * its canvas paints the first picture as it arrives.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Spinner } from '@fluentui/react-components';
import { TILES_CHANNEL, type SessionMode, type SessionView } from '@remote-help/protocol';
import type { DeviceView } from '@remote-help/protocol';
import { createSession, launchOnDevice, leaveSession, requestMode } from '../common/endpoints';
import { EndedScreen } from '../common/EndedScreen';
import { SessionWithChat } from '../common/chat/SessionWithChat';
import { canGiveHelp } from '../common/helperRights';
import { usePublishSession } from '../common/liveSession';
import { useMe } from '../common/meContext';
import { SessionAnnouncer } from '../common/SessionAnnouncer';
import { SessionNotices } from '../common/SessionNotices';
import { useAsyncAction } from '../common/useAsyncAction';
import { useSession } from '../common/useSession';
import { useSignaling } from '../common/useSignaling';
import { CodeScreen } from './CodeScreen';
import { helperErrorText } from './helperErrors';
import { LaunchScreen } from './LaunchScreen';
import { NoHelperRights } from './NoHelperRights';
import { forgetCode, loadCode, saveCode } from './codeStore';
import { RemoteView } from './RemoteView';
import { RequestedScreen } from './RequestedScreen';
import { StartScreen } from './StartScreen';
import { TrustScreen } from './TrustScreen';
import { askNotificationPermission, useJoinAlert } from './useJoinAlert';
import { useReceiver } from './useReceiver';

/** The remote view while the sharer reads the request: laid out, invisible, taking no room (module description). */
const EARLY_VIEW = { visibility: 'hidden', height: 0, overflow: 'hidden' } as const;

/** The translated reason a session ended, from the helper's point of view. */
function endedMessage(t: TFunction, session: SessionView): string {
  const name = session.sharer?.displayName ?? t('common.someone');
  return session.endReason ? t(`helper.ended.${session.endReason}`, { name }) : t('helper.ended.unknown');
}

/** See the module description. */
export function HelperApp() {
  const { state } = useMe();
  if (state.status === 'signedIn' && !canGiveHelp(state.me.permissions)) {
    return <NoHelperRights organization={state.me.tenant.name} />;
  }
  return <HelperWorkspace />;
}

/** The helper's screens, for a person who may give help. */
function HelperWorkspace() {
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
    askNotificationPermission();
    run(async () => {
      const created = await createSession();
      saveCode(created.session.id, created.code);
      adopt(created.session);
    });
  }, [run, adopt]);

  const resume = useCallback((chosen: SessionView) => adopt(chosen), [adopt]);

  const [openSessionsKey, setOpenSessionsKey] = useState(0);
  const endOpen = useCallback(
    (chosen: SessionView) => {
      run(async () => {
        await leaveSession(chosen.id);
        forgetCode(chosen.id);
        setOpenSessionsKey((key) => key + 1);
      });
    },
    [run],
  );

  const launch = useCallback(
    (device: DeviceView) => {
      askNotificationPermission();
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

  usePublishSession(session);
  useJoinAlert(session);
  const describeError = useCallback((error: unknown) => helperErrorText(t, error), [t]);

  let screen;
  if (loading) screen = <Spinner label={t('app.loading')} />;
  else if (!session)
    screen = (
      <StartScreen
        busy={action.busy}
        onStart={start}
        onLaunch={launch}
        onResume={resume}
        onEnd={endOpen}
        openSessionsKey={openSessionsKey}
        showDevices={permissions.includes('remoteTasks.offerRemoteAssistance')}
      />
    );
  else if (session.state === 'waiting' && session.device && !loadCode(session.id)) {
    // A launch without a code. A code session that was also offered to the device (the admin
    // center's device page) keeps showing its code below: the person may enter it instead.
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
  } else if (session.state === 'requested' || session.state === 'active') {
    const active = session.state === 'active';
    // Mounted ahead while the agent's connection is up and the sharer reads the request; shown once active.
    const early = !active && session.sharerClient === 'agent' && receiver.channels.has(TILES_CHANNEL);
    screen = (
      <>
        {active ? null : (
          <RequestedScreen session={session} busy={action.busy} onLeave={leave} check={receiver.check} />
        )}
        {active || early ? (
          <div style={active ? undefined : EARLY_VIEW} data-testid="remote-view">
            <RemoteView
              session={session}
              receiver={receiver}
              permissions={permissions}
              busy={action.busy}
              onRequestControl={requestControl}
              onLeave={leave}
            />
          </div>
        ) : null}
      </>
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
      <SessionAnnouncer
        session={session}
        loading={loading}
        role="helper"
        endedMessage={session?.state === 'ended' ? endedMessage(t, session) : null}
      />
      <SessionNotices
        signaling={signaling}
        session={session}
        peerName={session?.sharer?.displayName ?? null}
        actionError={action.error ?? loadError}
        onDismissActionError={dismissError}
        describeError={describeError}
      />
      <SessionWithChat client={signaling.client} session={session} role="helper">
        {screen}
      </SessionWithChat>
    </>
  );
}
