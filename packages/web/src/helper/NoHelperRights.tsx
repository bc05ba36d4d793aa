/**
 * @module NoHelperRights
 * `/help` for a signed-in person whose role does not let them give help: says why, whom to ask,
 * and offers the way in they do have (Get help), instead of a start screen whose every action
 * the server would refuse.
 */
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Body1, Button, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { HomeRegular, PersonSupportRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';

/** See the module description. */
export function NoHelperRights({ organization }: { organization: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Panel
      title={t('helper.noRights.title')}
      data-testid="no-helper-rights"
      actions={
        <>
          <Button appearance="primary" icon={<PersonSupportRegular />} onClick={() => navigate('/share')}>
            {t('helper.noRights.getHelp')}
          </Button>
          <Button icon={<HomeRegular />} onClick={() => navigate('/')}>
            {t('helper.noRights.home')}
          </Button>
        </>
      }
    >
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{t('helper.noRights.reasonTitle')}</MessageBarTitle>
          {t('helper.noRights.reason', { organization: `\u2068${organization}\u2069` })}
        </MessageBarBody>
      </MessageBar>
      <Body1>{t('helper.noRights.ask')}</Body1>
    </Panel>
  );
}
