/**
 * @module SharerApp
 * `/share`: the sharer's side of a session. The session pushed over signaling decides
 * the screen: code entry → trust (`joined`) → permission prompt (`requested`) →
 * sharing (`active`) → ended. While active, the page tells the helper what it does with
 * the picture (`useSharerStatus`): `choosing` when nothing is captured (after a reload, or
 * after the browser's own "Stop sharing"), `sharing`, or `paused` (no pixels leave the device).
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Spinner } from '@fluentui/react-components';
import type { SessionView } from '@remote-help/protocol';
import { leaveSession, respond } from '../common/endpoints';
import { SessionWithChat } from '../common/chat/SessionWithChat';
import { EndedScreen } from '../common/EndedScreen';
import { usePublishSession } from '../common/liveSession';
import { SessionAnnouncer } from '../common/SessionAnnouncer';
import { SessionNotices } from '../common/SessionNotices';
import { useAsyncAction } from '../common/useAsyncAction';
import { useSession } from '../common/useSession';
import { useSignaling } from '../common/useSignaling';
import { CodeEntryScreen } from './CodeEntryScreen';
import { PermissionPrompt } from './PermissionPrompt';
import { ResumeScreen } from './ResumeScreen';
import { SharingScreen } from './SharingScreen';
import { desiredSharerStatus } from './sharerStatus';
import { TrustScreen } from './TrustScreen';
import { CaptureError, useScreenCapture } from './useScreenCapture';
import { useSender } from './useSender';
import { useSharerStatus } from './useSharerStatus';

/** The translated reason a session ended, from the sharer's point of view. */
function endedMessage(t: TFunction, session: SessionView): string {
  const name = session.helper.displayName;
  return session.endReason ? t(`sharer.ended.${session.endReason}`, { name }) : t('sharer.ended.unknown');
}

/** A translated sentence for a failed screen capture. */
function captureMessage(t: TFunction, error: unknown): string {
  if (error instanceof CaptureError && error.reason === 'cancelled') return t('sharer.prompt.cancelled');
  if (error instanceof CaptureError && error.reason === 'unsupported') return t('sharer.prompt.unsupported');
  return t('sharer.prompt.failed');
}

/** See the module description. */
export function SharerApp() {
  const { t } = useTranslation();
  const signaling = useSignaling();
  const { session, loading, loadError, adopt, reset, clearLoadError } = useSession(signaling.client, 'sharer');
  const { busy, error, run, clearError } = useAsyncAction();
  const [shareError, setShareError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  const sessionId = session?.id ?? null;
  const state = session?.state ?? null;
  usePublishSession(session);

  const leave = useCallback(() => {
    if (!sessionId) return;
    run(async () => adopt(await leaveSession(sessionId)));
  }, [run, adopt, sessionId]);

  // The browser's own "Stop sharing" does not end the session: the page offers Share screen again.
  const captureEnded = useCallback(() => setPaused(false), []);
  const capture = useScreenCapture(captureEnded);
  const { start: startCapture, stop: stopCapture, stream } = capture;
  const sender = useSender({
    signaling: signaling.client,
    sessionId,
    active: state === 'active',
    ready: signaling.ready,
    stream,
  });
  const { connectionState, pause: pauseSender, resume: resumeSender } = sender;
  useSharerStatus(session, desiredSharerStatus(state, stream !== null, paused), adopt);

  useEffect(() => {
    if (state === null || state === 'ended') {
      stopCapture();
      setPaused(false);
    }
  }, [state, stopCapture]);

  // Pause: the video stops leaving the device first, then the helper is told (paused ⇄ sharing).
  const pause = useCallback(() => {
    run(async () => {
      await pauseSender();
      setPaused(true);
    });
  }, [run, pauseSender]);

  const resume = useCallback(() => {
    run(async () => {
      await resumeSender();
      setPaused(false);
    });
  }, [run, resumeSender]);

  const stopAndLeave = useCallback(() => {
    stopCapture();
    leave();
  }, [stopCapture, leave]);

  const allow = useCallback(() => {
    if (!sessionId || busy) return;
    setShareError(null);
    const capturing = startCapture(); // First, while the click's user activation lasts.
    capturing.catch(() => undefined);
    run(async () => {
      try {
        await capturing;
      } catch (failure) {
        setShareError(captureMessage(t, failure));
        return;
      }
      try {
        adopt(await respond(sessionId, true));
      } catch (failure) {
        stopCapture();
        throw failure;
      }
    });
  }, [sessionId, busy, startCapture, stopCapture, run, adopt, t]);

  const decline = useCallback(() => {
    if (!sessionId) return;
    setShareError(null);
    run(async () => adopt(await respond(sessionId, false)));
  }, [sessionId, run, adopt]);

  const shareAgain = useCallback(() => {
    setShareError(null);
    setPaused(false);
    startCapture().catch((failure: unknown) => setShareError(captureMessage(t, failure)));
  }, [startCapture, t]);

  const again = useCallback(() => {
    setShareError(null);
    clearError();
    reset();
  }, [clearError, reset]);

  const dismissError = useCallback(() => {
    clearError();
    clearLoadError();
  }, [clearError, clearLoadError]);

  let screen;
  if (loading) screen = <Spinner label={t('app.loading')} />;
  else if (!session) screen = <CodeEntryScreen onJoined={adopt} />;
  else if (session.state === 'waiting' || session.state === 'joined') {
    screen = <TrustScreen session={session} busy={busy} onLeave={stopAndLeave} />;
  } else if (session.state === 'requested') {
    screen = <PermissionPrompt session={session} busy={busy} error={shareError} onAllow={allow} onDecline={decline} />;
  } else if (session.state === 'active') {
    screen = stream ? (
      <SharingScreen
        session={session}
        stream={stream}
        connectionState={connectionState}
        check={sender.check}
        paused={paused}
        busy={busy}
        onPause={pause}
        onResume={resume}
        onLeave={stopAndLeave}
      />
    ) : (
      <ResumeScreen session={session} busy={busy} error={shareError} onShare={shareAgain} onLeave={stopAndLeave} />
    );
  } else {
    screen = (
      <EndedScreen
        title={t('sharer.title')}
        message={endedMessage(t, session)}
        reason={session.endReason}
        againLabel={t('sharer.ended.again')}
        onAgain={again}
      />
    );
  }

  return (
    <>
      <SessionAnnouncer
        session={session}
        loading={loading}
        role="sharer"
        endedMessage={session?.state === 'ended' ? endedMessage(t, session) : null}
      />
      <SessionNotices
        signaling={signaling}
        session={session}
        peerName={session?.helper.displayName ?? null}
        actionError={error ?? loadError}
        onDismissActionError={dismissError}
      />
      <SessionWithChat client={signaling.client} session={session} role="sharer">
        {screen}
      </SessionWithChat>
    </>
  );
}
