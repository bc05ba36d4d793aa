/**
 * @module ControlNotices
 * Tells the helper what the sharer decided about full control during the session:
 * they declined a request, or took control of their mouse and keyboard back. The
 * notice stays until dismissed or until the next change (e.g. a new request).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { controlNotice } from './controlNotice';

/** Props of {@link ControlNotices}. */
export interface ControlNoticesProps {
  session: SessionView;
}

/** See the module description. */
export function ControlNotices({ session }: ControlNoticesProps) {
  const { t } = useTranslation();
  const previous = useRef<SessionView | null>(null);
  const [notice, setNotice] = useState<'declined' | 'tookBack' | null>(null);
  const name = session.sharer?.displayName ?? t('common.someone');

  useEffect(() => {
    const change = controlNotice(previous.current, session);
    previous.current = session;
    if (change === 'declined' || change === 'tookBack') setNotice(change);
    else if (change === 'clear') setNotice(null);
  }, [session]);

  if (!notice) return null;
  return (
    <MessageBar
      intent={notice === 'declined' ? 'warning' : 'info'}
      role="status"
      data-testid={notice === 'declined' ? 'control-declined' : 'control-taken-back'}
    >
      <MessageBarBody>
        {notice === 'declined' ? t('helper.control.declined', { name }) : t('helper.control.tookBack', { name })}
      </MessageBarBody>
      <MessageBarActions
        containerAction={
          <Button
            appearance="transparent"
            icon={<DismissRegular />}
            aria-label={t('common.dismiss')}
            onClick={() => setNotice(null)}
          />
        }
      />
    </MessageBar>
  );
}
