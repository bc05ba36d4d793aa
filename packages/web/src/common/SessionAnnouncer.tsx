/**
 * @module SessionAnnouncer
 * Tells screen readers what happened to the session (helper and sharer apps): the other side
 * joined, the picture started, full control was granted or stopped — politely — and, at once
 * (assertively), that the session ended and why. Both live regions are always in the page, so
 * that assistive technology is watching them before the text changes; they are not shown.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { makeStyles } from '@fluentui/react-components';
import type { Role, SessionView } from '@remote-help/protocol';
import { sessionChange } from './sessionAnnouncement';

const useStyles = makeStyles({
  srOnly: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    margin: '-1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

interface Props {
  session: SessionView | null;
  /** While the session named in the URL loads, nothing is announced: a reload is not news. */
  loading: boolean;
  /** Whose app this is. */
  role: Role;
  /** Why the session ended, as the ended screen says it. */
  endedMessage: string | null;
}

/** See the module description. */
export function SessionAnnouncer({ session, loading, role, endedMessage }: Props) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [polite, setPolite] = useState('');
  const [assertive, setAssertive] = useState('');
  const seen = useRef<SessionView | null | undefined>(undefined);

  useEffect(() => {
    if (loading) return;
    const previous = seen.current;
    seen.current = session;
    // The first session after loading is where the page starts, not a change.
    if (previous === undefined) return;
    const change = sessionChange(previous, session);
    if (!change || !session) return;
    if (change === 'ended') {
      setAssertive(t('a11y.session.ended', { reason: endedMessage ?? '' }));
      return;
    }
    const name = (role === 'helper' ? session.sharer?.displayName : session.helper.displayName) ?? t('common.someone');
    setPolite(t(`a11y.session.${role}.${change}`, { name }));
  }, [session, loading, role, endedMessage, t]);

  return (
    <>
      <div className={styles.srOnly} aria-live="polite" aria-atomic="true" data-testid="announce-polite">
        {polite}
      </div>
      <div className={styles.srOnly} aria-live="assertive" aria-atomic="true" data-testid="announce-assertive">
        {assertive}
      </div>
    </>
  );
}
