/**
 * @module StartScreen
 * Helper, before a session: the primary action, "Get a security code", and below it the
 * enrolled devices a session can be started on without a code (remote launch).
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button } from '@fluentui/react-components';
import { KeyRegular } from '@fluentui/react-icons';
import type { DeviceView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { DeviceList } from './DeviceList';

/** Props of {@link StartScreen}. */
export interface StartScreenProps {
  busy: boolean;
  onStart: () => void;
  onLaunch: (device: DeviceView) => void;
  /** Whether to list devices (helpers who may offer remote assistance). */
  showDevices: boolean;
}

/** See the module description. */
export function StartScreen({ busy, onStart, onLaunch, showDevices }: StartScreenProps) {
  const { t } = useTranslation();
  return (
    <Panel
      title={t('helper.title')}
      actions={
        <Button appearance="primary" size="large" icon={<KeyRegular />} disabled={busy} onClick={onStart}>
          {t('helper.start.button')}
        </Button>
      }
    >
      <Body1>{t('helper.start.body')}</Body1>
      {showDevices && <DeviceList busy={busy} onLaunch={onLaunch} />}
    </Panel>
  );
}
