/**
 * @module SessionWithChat
 * A session's screen with its chat beside it (below it on narrow windows), the same for
 * every screen of both apps: from the trust screen until the end (afterwards read-only,
 * when anything was said). Without a chat to show (no session, the session still waits for
 * its sharer, or the organization turned chat off) the screen is shown alone.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { makeStyles, tokens } from '@fluentui/react-components';
import type { Role, SessionView } from '@remote-help/protocol';
import type { SignalingClient } from '../SignalingClient';
import { ChatPanel } from './ChatPanel';
import { useChat } from './useChat';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalL,
    '@media (max-width: 1023px)': { flexDirection: 'column', alignItems: 'stretch' },
  },
  main: { flexGrow: 1, flexShrink: 1, flexBasis: 0, minWidth: 0 },
  side: {
    flexGrow: 0,
    flexShrink: 0,
    flexBasis: '360px',
    width: '360px',
    '@media (max-width: 1023px)': { width: 'auto', flexBasis: 'auto' },
  },
});

/** Props of {@link SessionWithChat}. */
export interface SessionWithChatProps {
  client: SignalingClient;
  session: SessionView | null;
  /** This app's side. */
  role: Role;
  /** The session's screen. */
  children: ReactNode;
}

/** See the module description. */
export function SessionWithChat({ client, session, role, children }: SessionWithChatProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const started = session !== null && session.state !== 'waiting';
  const { store, chat } = useChat(client, started ? session.id : null, role);
  const ended = session?.state === 'ended';
  const shown = started && store !== null && chat.enabled && !(ended && chat.messages.length === 0);
  if (!shown) return <>{children}</>;
  const peer = role === 'helper' ? session.sharer : session.helper;
  return (
    <div className={styles.row}>
      <div className={styles.main}>{children}</div>
      <div className={styles.side}>
        <ChatPanel
          store={store}
          chat={chat}
          role={role}
          peerName={peer?.displayName ?? t('common.someone')}
          readOnly={ended}
        />
      </div>
    </div>
  );
}
