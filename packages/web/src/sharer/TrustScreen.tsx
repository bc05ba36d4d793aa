/**
 * @module TrustScreen
 * Sharer, `joined`: who is about to help, and that they will ask to see the screen.
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, Spinner } from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import type { SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { PeerCard } from '../common/PeerCard';

/** Props of {@link TrustScreen}. */
export interface TrustScreenProps {
  session: SessionView;
  busy: boolean;
  onLeave: () => void;
}

/** See the module description. */
export function TrustScreen({ session, busy, onLeave }: TrustScreenProps) {
  const { t } = useTranslation();
  const helper = session.helper;
  return (
    <Panel
      title={t('sharer.trust.title')}
      actions={
        <Button size="large" icon={<SignOutRegular />} disabled={busy} onClick={onLeave}>
          {t('common.leave')}
        </Button>
      }
    >
      <Body1 data-testid="helper-intro">
        {t('sharer.trust.intro', { name: helper.displayName, company: helper.company ?? helper.tenantName })}
      </Body1>
      <PeerCard person={helper} />
      {helper.verifiedDomain || helper.assertedDomain ? null : <Body1>{t('sharer.trust.unverifiedWarning')}</Body1>}
      <Spinner size="tiny" labelPosition="after" label={t('sharer.trust.waiting', { name: helper.displayName })} />
    </Panel>
  );
}
