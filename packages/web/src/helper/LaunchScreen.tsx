/**
 * @module LaunchScreen
 * Helper, `waiting` on a remote launch: the device's user is being asked to open Remote
 * Help; there is no code to pass on.
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, Spinner } from '@fluentui/react-components';
import { DismissRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';

/** Props of {@link LaunchScreen}. */
export interface LaunchScreenProps {
  deviceName: string;
  busy: boolean;
  onCancel: () => void;
}

/** See the module description. */
export function LaunchScreen({ deviceName, busy, onCancel }: LaunchScreenProps) {
  const { t } = useTranslation();
  return (
    <Panel
      title={t('helper.launch.title', { name: deviceName })}
      actions={
        <Button icon={<DismissRegular />} disabled={busy} onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      }
    >
      <Body1>{t('helper.launch.body', { name: deviceName })}</Body1>
      <Spinner size="tiny" labelPosition="after" label={t('helper.launch.waiting')} data-testid="launch-waiting" />
    </Panel>
  );
}
