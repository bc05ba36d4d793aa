/**
 * @module ResumeScreen
 * Sharer, `active` but nothing captured (the page was reloaded): share the screen again
 * (a click is needed for the picker) or leave.
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, MessageBar, MessageBarBody } from '@fluentui/react-components';
import { ShareScreenStartRegular, SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';

/** Props of {@link ResumeScreen}. */
export interface ResumeScreenProps {
  session: SessionView;
  busy: boolean;
  error: string | null;
  onShare: () => void;
  onLeave: () => void;
}

/** See the module description. */
export function ResumeScreen({ session, busy, error, onShare, onLeave }: ResumeScreenProps) {
  const { t } = useTranslation();
  return (
    <Panel
      title={t('sharer.resume.title')}
      actions={
        <>
          <Button
            appearance="primary"
            size="large"
            icon={<ShareScreenStartRegular />}
            disabled={busy}
            onClick={onShare}
          >
            {t('sharer.resume.button')}
          </Button>
          <Button size="large" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
            {t('common.leave')}
          </Button>
        </>
      }
    >
      <Body1>{t('sharer.resume.body', { name: session.helper.displayName })}</Body1>
      {error ? (
        <MessageBar intent="error" role="alert" data-testid="share-error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      ) : null}
    </Panel>
  );
}
