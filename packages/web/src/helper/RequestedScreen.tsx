/**
 * @module RequestedScreen
 * Helper, `requested`: waiting for the sharer to allow the requested mode.
 */
import { useTranslation } from 'react-i18next';
import { Button, Spinner } from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { ConnectionCheck } from '../common/ConnectionCheck';
import { Panel } from '../common/Panel';

/** Props of {@link RequestedScreen}. */
export interface RequestedScreenProps {
  session: SessionView;
  busy: boolean;
  onLeave: () => void;
  /**
   * The connection check, when the connection is up before Allow (a sharer on the agent, ADR 0023):
   * the two people can compare it before anything is shared.
   */
  check: string | null;
}

/** See the module description. */
export function RequestedScreen({ session, busy, onLeave, check }: RequestedScreenProps) {
  const { t } = useTranslation();
  const name = session.sharer?.displayName ?? t('common.someone');
  const label =
    session.pendingMode === 'control' ? t('helper.requested.control', { name }) : t('helper.requested.view', { name });
  return (
    <Panel
      title={t('helper.requested.title')}
      actions={
        <Button icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
          {t('common.leave')}
        </Button>
      }
    >
      <div role="status" data-testid="waiting-for-allow">
        <Spinner labelPosition="after" label={label} />
      </div>
      <ConnectionCheck check={check} name={name} />
    </Panel>
  );
}
