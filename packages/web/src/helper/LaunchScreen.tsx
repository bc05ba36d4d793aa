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
  // The name is the device's own choice: isolate it (FSI … PDI, the plain-text <bdi>) inside the sentence.
  const name = `\u2068${deviceName}\u2069`;
  return (
    <Panel
      title={t('helper.launch.title', { name })}
      actions={
        <Button icon={<DismissRegular />} disabled={busy} onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      }
    >
      <Body1>{t('helper.launch.body', { name })}</Body1>
      <Spinner size="tiny" labelPosition="after" label={t('helper.launch.waiting')} data-testid="launch-waiting" />
    </Panel>
  );
}
