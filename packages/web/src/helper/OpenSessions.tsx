/**
 * @module OpenSessions
 * Helper, on the start screen: the sessions this helper started that have not ended, from
 * any tab of the same sign-in. A closed tab no longer loses a session: it can be resumed
 * (the code shows again in the same browser) or ended from here.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Body1, Button, Caption1, Subtitle2 } from '@fluentui/react-components';
import { DismissRegular, OpenRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import type { TFunction } from 'i18next';
import { listLiveSessions } from '../common/endpoints';
import { useListStyles } from './listStyles';

/** Props of {@link OpenSessions}. */
export interface OpenSessionsProps {
  busy: boolean;
  onResume: (session: SessionView) => void;
  onEnd: (session: SessionView) => void;
  /** Changes whenever a session was ended from here, so the list reloads at once. */
  reloadKey: number;
}

/** Who the session is with, for the list. */
function peerName(t: TFunction, session: SessionView): string {
  return session.sharer?.displayName ?? session.device?.name ?? t('helper.open.unknownPeer');
}

/** What the session is doing now, in words. */
function stateText(t: TFunction, session: SessionView): string {
  const name = peerName(t, session);
  switch (session.state) {
    case 'waiting':
      return session.device ? t('helper.open.waitingDevice', { name }) : t('helper.open.waitingCode');
    case 'joined':
      return t('helper.open.joined', { name });
    case 'requested':
      return t('helper.open.requested', { name });
    default:
      return session.mode === 'control' ? t('helper.open.activeControl', { name }) : t('helper.open.active', { name });
  }
}

/** See the module description. */
export function OpenSessions({ busy, onResume, onEnd, reloadKey }: OpenSessionsProps) {
  const styles = useListStyles();
  const { t, i18n } = useTranslation();
  const [sessions, setSessions] = useState<SessionView[]>([]);

  const refresh = useCallback(
    () =>
      listLiveSessions().then(
        (list) => setSessions(list),
        // A failed refresh keeps the last list; the next one (or a focus) tries again.
        () => undefined,
      ),
    [],
  );

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 10_000);
    const onFocus = () => void refresh();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [refresh, reloadKey]);

  if (sessions.length === 0) return null;
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' });
  return (
    <section className={styles.section} aria-labelledby="open-sessions-title" data-testid="open-sessions">
      <Subtitle2 as="h2" id="open-sessions-title">
        {t('helper.open.title')}
      </Subtitle2>
      <ul className={styles.list} aria-label={t('helper.open.label')}>
        {sessions.map((session) => {
          const name = peerName(t, session);
          return (
            <li key={session.id} className={styles.item} data-testid="open-session">
              <span className={styles.text}>
                <Body1 dir="auto">{stateText(t, session)}</Body1>
                <Caption1>{t('helper.open.started', { time: time.format(new Date(session.createdAt)) })}</Caption1>
              </span>
              <Button
                appearance="primary"
                icon={<OpenRegular />}
                disabled={busy}
                aria-label={t('helper.open.resumeLabel', { name })}
                onClick={() => onResume(session)}
              >
                {t('helper.open.resume')}
              </Button>
              <Button
                icon={<DismissRegular />}
                disabled={busy}
                aria-label={t('helper.open.cancelLabel', { name })}
                onClick={() => onEnd(session)}
              >
                {t('helper.open.cancel')}
              </Button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
