/**
 * @module admin/roles/LoadState
 * What an admin page shows while its data loads or when loading failed (with Retry).
 */
import { useTranslation } from 'react-i18next';
import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner } from '@fluentui/react-components';
import { errorText } from '../../common/errorText';
import type { Loaded } from './useLoader';

/** Renders the loading or error state of `state`, or nothing when it is ready. */
export function LoadState({ state, onRetry, label }: { state: Loaded<unknown>; onRetry: () => void; label: string }) {
  const { t } = useTranslation();
  if (state.status === 'loading') return <Spinner label={label} />;
  if (state.status === 'error') {
    return (
      <MessageBar intent="error" data-testid="load-error">
        <MessageBarBody>{errorText(t, state.error)}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={onRetry}>{t('admin.roles.retry')}</Button>
        </MessageBarActions>
      </MessageBar>
    );
  }
  return null;
}
