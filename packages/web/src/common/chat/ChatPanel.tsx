/**
 * @module ChatPanel
 * The session's chat beside the screen (helper and sharer apps): the thread, oldest first,
 * with each message's sender (in a bidi isolate, so a name cannot reorder what follows it),
 * its time in the reader's locale and, for one's own messages, whether it is sending, sent
 * or failed (with Retry); the other side typing; a box to write in (Enter sends,
 * Shift+Enter starts a new line) that checks the same rules as the server
 * (`chatTextProblem`). Messages are React text in `dir="auto"` blocks, never HTML;
 * addresses are shown as text with their target visible (protocol `chatDisplay`). New messages
 * from the other side are announced politely to screen readers and counted as unread while
 * the panel is collapsed, scrolled up, or the page is hidden. `readOnly`: after the session.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Caption1,
  CounterBadge,
  Field,
  makeStyles,
  mergeClasses,
  Textarea,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import {
  ArrowClockwiseRegular,
  ChatRegular,
  ChevronDownRegular,
  DismissRegular,
  SendRegular,
} from '@fluentui/react-icons';
import { CHAT_MAX_GRAPHEMES, chatTextProblem, graphemeCount, messageParts } from '@remote-help/protocol';
import type { ChatMessage, Role } from '@remote-help/protocol';
import { errorText } from '../errorText';
import type { ChatSnapshot, ChatStore, OutgoingMessage } from './chatStore';

const useStyles = makeStyles({
  panel: {
    boxSizing: 'border-box',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusXLarge,
    boxShadow: tokens.shadow4,
    minWidth: 0,
  },
  header: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS },
  heading: { ...typographyStyles.subtitle2, margin: 0, flexGrow: 1 },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    overflowY: 'auto',
    minHeight: '120px',
    maxHeight: 'min(60vh, 560px)',
    paddingInlineEnd: tokens.spacingHorizontalXS,
  },
  empty: { color: tokens.colorNeutralForeground3 },
  message: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    maxWidth: '85%',
    alignSelf: 'flex-start',
  },
  mine: { alignSelf: 'flex-end', alignItems: 'flex-end' },
  bubble: {
    ...typographyStyles.body1,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground3,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    unicodeBidi: 'isolate',
  },
  mineBubble: { backgroundColor: tokens.colorBrandBackground2 },
  failedBubble: { outline: `1px solid ${tokens.colorPaletteRedBorder2}` },
  meta: { color: tokens.colorNeutralForeground3, display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  failed: { color: tokens.colorPaletteRedForeground1 },
  address: {
    fontFamily: tokens.fontFamilyMonospace,
    textDecorationLine: 'underline',
    textDecorationStyle: 'dotted',
    unicodeBidi: 'isolate',
  },
  typing: { color: tokens.colorNeutralForeground3, minHeight: '1.4em' },
  composer: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  field: { flexGrow: 1, minWidth: 0 },
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

/** Props of {@link ChatPanel}. */
export interface ChatPanelProps {
  store: ChatStore;
  chat: ChatSnapshot;
  /** This side. */
  role: Role;
  /** The other person's display name. */
  peerName: string;
  /** After the session: the thread only, no box to write in. */
  readOnly?: boolean;
  className?: string;
}

/** Near the limit, the box shows how many characters are used. */
const COUNT_FROM = CHAT_MAX_GRAPHEMES - 400;

/** See the module description. */
export function ChatPanel({ store, chat, role, peerName, readOnly = false, className }: ChatPanelProps) {
  const styles = useStyles();
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const list = useRef<HTMLOListElement>(null);
  const [open, setOpen] = useState(true);
  // What was typed and not sent comes back after a reload of the tab.
  const [draft, setDraft] = useState(() => store.draft);
  const [atBottom, setAtBottom] = useState(true);
  const [visible, setVisible] = useState(() => typeof document === 'undefined' || !document.hidden);
  const format = useMemo(() => {
    const locale = i18n.resolvedLanguage ?? i18n.language;
    return {
      time: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }),
      full: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' }),
    };
  }, [i18n.resolvedLanguage, i18n.language]);

  useEffect(() => {
    const update = () => setVisible(!document.hidden);
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  useEffect(() => store.setWatching(open && atBottom && visible), [store, open, atBottom, visible]);

  // Stay at the newest message while the reader is there.
  const count = chat.messages.length + chat.outgoing.length;
  useEffect(() => {
    const element = list.current;
    if (element && atBottom) element.scrollTop = element.scrollHeight;
  }, [count, atBottom, open]);
  const onScroll = useCallback(() => {
    const element = list.current;
    if (element) setAtBottom(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
  }, []);

  const problem = chatTextProblem(draft);
  const used = draft.length > COUNT_FROM / 4 ? graphemeCount(draft) : 0;
  const validation =
    problem === 'too_long'
      ? t('chat.tooLong', { max: CHAT_MAX_GRAPHEMES })
      : problem === 'malformed'
        ? t('chat.malformed')
        : undefined;
  const send = () => {
    if (problem !== null) return;
    store.send(draft);
    setDraft('');
    setAtBottom(true);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  };

  const nameOf = (from: Role) => (from === role ? t('chat.you') : peerName);
  const timeOf = (ms: number) => (
    <time dateTime={new Date(ms).toISOString()} title={format.full.format(ms)}>
      {format.time.format(ms)}
    </time>
  );

  const incoming = chat.lastIncoming;
  return (
    <aside
      className={mergeClasses(styles.panel, className)}
      aria-labelledby={headingId}
      data-testid="chat-panel"
      data-unread={chat.unread}
    >
      <div className={styles.header}>
        <ChatRegular aria-hidden />
        <h2 id={headingId} className={styles.heading}>
          {t('chat.title')}
        </h2>
        {chat.unread > 0 ? (
          <CounterBadge
            count={chat.unread}
            color="danger"
            aria-label={t('chat.unread', { count: chat.unread })}
            data-testid="chat-unread"
          />
        ) : null}
        <Button
          appearance="subtle"
          icon={open ? <ChevronDownRegular /> : <ChatRegular />}
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? t('chat.hide') : t('chat.show')}
        </Button>
      </div>
      {/* Announced, not shown: the newest message from the other side. */}
      <div className={styles.srOnly} aria-live="polite" data-testid="chat-announcement">
        {incoming ? (
          <span key={incoming.seq}>{t('chat.announce', { name: peerName, text: incoming.text })}</span>
        ) : null}
      </div>
      {open ? (
        <>
          <ol
            ref={list}
            className={styles.list}
            onScroll={onScroll}
            tabIndex={0}
            aria-label={t('chat.messages')}
            data-testid="chat-messages"
          >
            {count === 0 ? (
              <li className={styles.empty}>{chat.loaded ? t('chat.empty', { name: peerName }) : t('chat.loading')}</li>
            ) : null}
            {chat.messages.map((message) => (
              <Message key={message.seq} message={message} mine={message.from === role} name={nameOf(message.from)}>
                {timeOf(Date.parse(message.sentAt))}
                {message.from === role ? <span>· {t('chat.sent')}</span> : null}
              </Message>
            ))}
            {chat.outgoing.map((message) => (
              <Outgoing key={message.clientId} message={message} name={t('chat.you')} store={store}>
                {timeOf(message.createdAt)}
              </Outgoing>
            ))}
          </ol>
          <Caption1 className={styles.typing} data-testid="chat-typing">
            {chat.peerTyping ? t('chat.typing', { name: `\u2068${peerName}\u2069` }) : null}
          </Caption1>
          {readOnly ? (
            <Caption1>{t('chat.readOnly')}</Caption1>
          ) : (
            <div className={styles.composer}>
              <Field
                className={styles.field}
                label={t('chat.message')}
                validationState={validation ? 'error' : 'none'}
                validationMessage={validation}
                hint={used > COUNT_FROM ? t('chat.count', { used, max: CHAT_MAX_GRAPHEMES }) : undefined}
              >
                <Textarea
                  value={draft}
                  resize="vertical"
                  // Three lines: the hint on Enter and Shift+Enter takes three in German beside Send.
                  rows={3}
                  dir="auto"
                  placeholder={t('chat.placeholder')}
                  onChange={(_, data) => {
                    setDraft(data.value);
                    store.saveDraft(data.value);
                    store.typing(data.value.length > 0);
                  }}
                  onBlur={() => store.typing(false)}
                  onKeyDown={onKeyDown}
                  data-testid="chat-input"
                />
              </Field>
              <Button
                appearance="primary"
                icon={<SendRegular />}
                disabled={problem !== null}
                onClick={send}
                data-testid="chat-send"
              >
                {t('chat.send')}
              </Button>
            </div>
          )}
        </>
      ) : null}
    </aside>
  );
}

/** One stored message. */
function Message({
  message,
  mine,
  name,
  children,
}: {
  message: ChatMessage;
  mine: boolean;
  name: string;
  children: React.ReactNode;
}) {
  const styles = useStyles();
  return (
    <li
      className={mergeClasses(styles.message, mine && styles.mine)}
      data-testid="chat-message"
      data-seq={message.seq}
      data-from={message.from}
      data-state="sent"
    >
      <Caption1 className={styles.meta}>
        <bdi data-testid="chat-sender">{name}</bdi>
        {children}
      </Caption1>
      <Text text={message.text} mine={mine} />
    </li>
  );
}

/** One own message not stored yet: sending, or failed with Retry and Discard. */
function Outgoing({
  message,
  name,
  store,
  children,
}: {
  message: OutgoingMessage;
  name: string;
  store: ChatStore;
  children: React.ReactNode;
}) {
  const styles = useStyles();
  const { t } = useTranslation();
  const failed = message.state === 'failed';
  return (
    <li
      className={mergeClasses(styles.message, styles.mine)}
      data-testid="chat-message"
      data-from="self"
      data-state={message.state}
    >
      <Caption1 className={styles.meta}>
        <bdi>{name}</bdi>
        {children}
        {failed ? (
          <span className={styles.failed} role="alert">
            · {t('chat.failed')} {message.error ? errorText(t, message.error) : ''}
          </span>
        ) : (
          <span>· {t('chat.sending')}</span>
        )}
      </Caption1>
      <Text text={message.text} mine failed={failed} />
      {failed ? (
        <span>
          <Button size="small" icon={<ArrowClockwiseRegular />} onClick={() => store.retry(message.clientId)}>
            {t('chat.retry')}
          </Button>{' '}
          <Button
            size="small"
            appearance="subtle"
            icon={<DismissRegular />}
            onClick={() => store.discard(message.clientId)}
          >
            {t('chat.discard')}
          </Button>
        </span>
      ) : null}
    </li>
  );
}

/** A message's text: React text in a `dir="auto"` block; addresses as isolated, visible text. */
function Text({ text, mine, failed = false }: { text: string; mine: boolean; failed?: boolean }) {
  const styles = useStyles();
  return (
    <div
      dir="auto"
      className={mergeClasses(styles.bubble, mine && styles.mineBubble, failed && styles.failedBubble)}
      data-testid="chat-text"
    >
      {messageParts(text).map((part, i) =>
        part.kind === 'text' ? (
          part.text
        ) : (
          <bdi key={i} dir="ltr" className={styles.address} data-testid="chat-address">
            {part.shown}
          </bdi>
        ),
      )}
    </div>
  );
}
