/**
 * @module RequireSignIn
 * Shows its children only to a signed-in person; otherwise the sign-in screen
 * (or a retry when the sign-in state could not be loaded).
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { Button, MessageBar, MessageBarBody, Spinner, Text } from '@fluentui/react-components';
import { PersonRegular } from '@fluentui/react-icons';
import { loginUrl } from './endpoints';
import { errorText } from './errorText';
import { useMe } from './meContext';
import { Panel } from './Panel';

/** See the module description. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { state, reload } = useMe();
  const location = useLocation();

  if (state.status === 'loading') return <Spinner label={t('app.loading')} />;
  if (state.status === 'error') {
    return (
      <Panel title={t('signIn.loadFailedTitle')} actions={<Button onClick={reload}>{t('common.retry')}</Button>}>
        <MessageBar intent="error">
          <MessageBarBody>{errorText(t, state.error)}</MessageBarBody>
        </MessageBar>
      </Panel>
    );
  }
  if (state.status === 'signedOut') {
    return (
      <Panel
        title={t('signIn.title')}
        data-testid="sign-in"
        actions={
          <Button
            appearance="primary"
            size="large"
            icon={<PersonRegular />}
            onClick={() => window.location.assign(loginUrl(location.pathname + location.search))}
          >
            {t('signIn.button')}
          </Button>
        }
      >
        <Text>{t('signIn.body')}</Text>
      </Panel>
    );
  }
  return <>{children}</>;
}
