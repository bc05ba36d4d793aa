/**
 * @module admin/roles/PageNotice
 * A success message carried to the next page through the router's location state (after
 * "create" or "delete" the page changes), shown once and dismissable. `noticeState` builds
 * the state; `usePageNotice` reads it.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';

/** Location state that carries a translated success message. */
export function noticeState(text: string): { notice: string } {
  return { notice: text };
}

function noticeOf(state: unknown): string | null {
  if (typeof state !== 'object' || state === null) return null;
  const notice = (state as { notice?: unknown }).notice;
  return typeof notice === 'string' ? notice : null;
}

/** The success message from the location state (or one set here), shown until dismissed. */
export function SuccessNotice({ text, onDismiss }: { text: string | null; onDismiss: () => void }) {
  const { t } = useTranslation();
  if (!text) return null;
  return (
    <MessageBar intent="success" data-testid="admin-notice" politeness="polite">
      <MessageBarBody>{text}</MessageBarBody>
      <MessageBarActions
        containerAction={
          <Button
            appearance="transparent"
            aria-label={t('admin.roles.dismiss')}
            icon={<DismissRegular />}
            onClick={onDismiss}
          />
        }
      />
    </MessageBar>
  );
}

/** The page's success message: from the location state at first, then whatever the page sets. */
export function usePageNotice(): [string | null, (text: string | null) => void] {
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(() => noticeOf(location.state));
  const [key, setKey] = useState(location.key);
  if (key !== location.key) {
    // A new navigation: show its message (or none).
    setKey(location.key);
    setNotice(noticeOf(location.state));
  }
  return [notice, setNotice];
}
