/**
 * @module PermissionPrompt
 * Sharer, `requested`: the helper asks to see (or control) the screen. Allow opens the
 * browser's screen picker first (it needs the click), then answers the server.
 */
import { useTranslation } from 'react-i18next';
import { Avatar, Body1, Button, makeStyles, MessageBar, MessageBarBody, tokens } from '@fluentui/react-components';
import { CheckmarkRegular, DismissRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';

const useStyles = makeStyles({
  prompt: {
    borderInlineStartWidth: tokens.strokeWidthThickest,
    borderInlineStartStyle: 'solid',
    borderInlineStartColor: tokens.colorBrandStroke1,
  },
  who: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
});

/** Props of {@link PermissionPrompt}. */
export interface PermissionPromptProps {
  session: SessionView;
  busy: boolean;
  /** A translated reason the last Allow did not work (e.g. the picker was cancelled). */
  error: string | null;
  onAllow: () => void;
  onDecline: () => void;
}

/** See the module description. */
export function PermissionPrompt({ session, busy, error, onAllow, onDecline }: PermissionPromptProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const helper = session.helper;
  const control = session.pendingMode === 'control';
  return (
    <Panel
      role="dialog"
      className={styles.prompt}
      data-testid="permission-prompt"
      title={
        control
          ? t('sharer.prompt.control', { name: helper.displayName })
          : t('sharer.prompt.view', { name: helper.displayName })
      }
      actions={
        <>
          <Button appearance="primary" size="large" icon={<CheckmarkRegular />} disabled={busy} onClick={onAllow}>
            {t('sharer.prompt.allow')}
          </Button>
          <Button size="large" icon={<DismissRegular />} disabled={busy} onClick={onDecline}>
            {t('sharer.prompt.decline')}
          </Button>
        </>
      }
    >
      <div className={styles.who}>
        <Avatar
          size={48}
          name={helper.displayName}
          image={helper.photoUrl ? { src: helper.photoUrl, alt: '' } : undefined}
          color="colorful"
          aria-hidden
        />
        <Body1>
          {control ? t('sharer.prompt.controlBody') : t('sharer.prompt.viewBody', { name: helper.displayName })}
        </Body1>
      </div>
      {error ? (
        <MessageBar intent="error" role="alert" data-testid="share-error">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      ) : null}
    </Panel>
  );
}
