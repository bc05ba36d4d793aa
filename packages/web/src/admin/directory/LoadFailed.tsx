/**
 * @module admin/directory/LoadFailed
 * A page's load failed: the reason in the user's language and "Try again".
 */
import { useTranslation } from 'react-i18next';
import { Button, MessageBar, MessageBarActions, MessageBarBody } from '@fluentui/react-components';
import { errorText } from '../../common/errorText';

/** See the module description. */
export function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent="error" data-testid="load-failed">
      <MessageBarBody>{errorText(t, error)}</MessageBarBody>
      <MessageBarActions>
        <Button onClick={onRetry}>{t('admin.directory.retry')}</Button>
      </MessageBarActions>
    </MessageBar>
  );
}
