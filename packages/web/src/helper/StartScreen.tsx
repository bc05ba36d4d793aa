/**
 * @module StartScreen
 * Helper, before a session: one primary action, "Get a security code".
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button } from '@fluentui/react-components';
import { KeyRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';

/** Props of {@link StartScreen}. */
export interface StartScreenProps {
  busy: boolean;
  onStart: () => void;
}

/** See the module description. */
export function StartScreen({ busy, onStart }: StartScreenProps) {
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
    </Panel>
  );
}
