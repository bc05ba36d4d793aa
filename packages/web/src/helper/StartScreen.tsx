/**
 * @module StartScreen
 * Helper, before a session. First the way everyone can use: *Get a security code* (what it
 * does, and the button right under it). Then the helper's open sessions, when there are any
 * (to resume from any tab; few, and they need attention), and last the enrolled devices a
 * session can be started on without a code (remote launch), a list that can be long.
 */
import { useTranslation } from 'react-i18next';
import { Body1, Button, makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { KeyRegular } from '@fluentui/react-icons';
import type { DeviceView, SessionView } from '@remote-help/protocol';
import { Panel } from '../common/Panel';
import { DeviceList } from './DeviceList';
import { OpenSessions } from './OpenSessions';

const useStyles = makeStyles({
  code: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalM,
  },
  heading: { margin: 0 },
});

/** Props of {@link StartScreen}. */
export interface StartScreenProps {
  busy: boolean;
  onStart: () => void;
  onLaunch: (device: DeviceView) => void;
  onResume: (session: SessionView) => void;
  onEnd: (session: SessionView) => void;
  /** Changes whenever a session ended from the list, so it reloads. */
  openSessionsKey: number;
  /** Whether to list devices (helpers who may offer remote assistance). */
  showDevices: boolean;
}

/** See the module description. */
export function StartScreen({
  busy,
  onStart,
  onLaunch,
  onResume,
  onEnd,
  openSessionsKey,
  showDevices,
}: StartScreenProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  return (
    <Panel title={t('helper.title')}>
      <section className={styles.code} aria-labelledby="code-title" data-testid="get-code">
        <Subtitle2 as="h2" id="code-title" className={styles.heading}>
          {t('helper.start.title')}
        </Subtitle2>
        <Body1>{t('helper.start.body')}</Body1>
        <Button appearance="primary" size="large" icon={<KeyRegular />} disabled={busy} onClick={onStart}>
          {t('helper.start.button')}
        </Button>
      </section>
      <OpenSessions busy={busy} onResume={onResume} onEnd={onEnd} reloadKey={openSessionsKey} />
      {showDevices && <DeviceList busy={busy} onLaunch={onLaunch} />}
    </Panel>
  );
}
