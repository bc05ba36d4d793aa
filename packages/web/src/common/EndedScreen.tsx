/**
 * @module EndedScreen
 * The end of a session: a banner with the translated reason and a way to start over.
 */
import { useTranslation } from 'react-i18next';
import { Button, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { ArrowResetRegular } from '@fluentui/react-icons';
import type { EndReason } from '@remote-help/protocol';
import { Panel } from './Panel';

/** Props of {@link EndedScreen}. */
export interface EndedScreenProps {
  /** Heading of the screen (the app's name, e.g. "Give help"). */
  title: string;
  /** The translated reason, e.g. "Adele left the session." */
  message: string;
  reason: EndReason | null;
  /** Label of the start-over button. */
  againLabel: string;
  onAgain: () => void;
}

/** Reasons that are nobody's mistake; the others get a warning banner. */
const CALM: readonly (EndReason | null)[] = ['helper_left', 'sharer_left', null];

/** `ended`: see the module description. */
export function EndedScreen({ title, message, reason, againLabel, onAgain }: EndedScreenProps) {
  const { t } = useTranslation();
  return (
    <Panel
      title={title}
      actions={
        <Button appearance="primary" icon={<ArrowResetRegular />} onClick={onAgain}>
          {againLabel}
        </Button>
      }
    >
      <MessageBar intent={CALM.includes(reason) ? 'info' : 'warning'} data-testid="session-ended" role="status">
        <MessageBarBody>
          <MessageBarTitle>{t('common.sessionEnded')}</MessageBarTitle>
          {message}
        </MessageBarBody>
      </MessageBar>
    </Panel>
  );
}
