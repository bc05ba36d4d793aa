/**
 * @module joinAlert
 * What tells a waiting helper that the sharer is there, decided without the DOM: how the sharer
 * came in (entered the code, or accepted a remote launch on their device), whether a view of the
 * session is the moment they just joined, and the words for the tab title and the notification.
 */
import type { TFunction } from 'i18next';
import type { SessionView } from '@remote-help/protocol';

/** How the sharer reached the session; an older server that does not say means a code. */
export function joinedVia(session: Pick<SessionView, 'via'>): 'code' | 'launch' {
  return session.via === 'launch' ? 'launch' : 'code';
}

/** True when `next` is the helper's first view of their session after the sharer joined it. */
export function sharerJustJoined(previous: SessionView | null, next: SessionView | null): boolean {
  return (
    previous !== null &&
    next !== null &&
    previous.id === next.id &&
    next.role === 'helper' &&
    previous.state === 'waiting' &&
    next.state === 'joined'
  );
}

/** The sentence for the tab title and the notification while the sharer waits for the helper; null otherwise. */
export function joinedMessage(t: TFunction, session: SessionView | null): string | null {
  if (!session || session.role !== 'helper' || session.state !== 'joined') return null;
  const name = session.sharer?.displayName ?? t('common.someone');
  return joinedVia(session) === 'launch' ? t('helper.alert.launch', { name }) : t('helper.alert.code', { name });
}

/** The tab title that carries `message` in front of the page's own title. */
export function alertTitle(t: TFunction, message: string, pageTitle: string): string {
  return t('helper.alert.tabTitle', { message, title: pageTitle });
}
