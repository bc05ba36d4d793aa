/**
 * @module NotFoundPage
 * Any address the app does not know: says so, shows the address, and leads home. The server
 * answers such an address with this app and status 404 when a browser opens it as a page.
 */
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { Body1, Button } from '@fluentui/react-components';
import { HomeRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';

/** See the module description. */
export function NotFoundPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  return (
    <Panel
      title={t('notFound.title')}
      data-testid="not-found"
      actions={
        <Button
          as="a"
          href="/"
          appearance="primary"
          icon={<HomeRegular />}
          onClick={(event) => {
            event.preventDefault();
            navigate('/');
          }}
        >
          {t('notFound.home')}
        </Button>
      }
    >
      {/* The address is the visitor's text: isolated (FSI … PDI) and left to right inside the sentence. */}
      <Body1>{t('notFound.body', { path: `\u2068${pathname}\u2069` })}</Body1>
    </Panel>
  );
}
