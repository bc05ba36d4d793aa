/**
 * @module admin/common/ConfirmDialog
 * Asks before a destructive or far-reaching change (disable a person, reset a password,
 * delete a group or a role, end live sessions): the change runs with a spinner, a failure
 * shows in the dialog in the user's language, and the dialog closes only once the change
 * says it is done. One dialog for every section of the admin center.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { BusySpinner } from '../../common/BusySpinner';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, alignItems: 'flex-start' },
  danger: {
    backgroundColor: tokens.colorPaletteRedBackground3,
    ':hover': { backgroundColor: tokens.colorPaletteRedForeground1 },
    ':hover:active': { backgroundColor: tokens.colorPaletteRedForeground1 },
  },
});

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmDisabled?: boolean;
  /** A red confirm button for changes that cannot be undone. */
  danger?: boolean;
  /** Runs the change; resolving `false` keeps the dialog open (anything else closes it). */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  testId?: string;
}

/** See the module description. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  confirmDisabled,
  danger,
  onConfirm,
  onClose,
  testId,
}: ConfirmDialogProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const action = useAsyncAction();
  const close = () => {
    if (action.busy) return;
    action.clearError();
    onClose();
  };
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, d) => (d.open ? undefined : close())}>
      <DialogSurface data-testid={testId}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>
            {children}
            {action.error ? (
              <MessageBar intent="error">
                <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button
              appearance="primary"
              className={danger ? styles.danger : undefined}
              disabled={confirmDisabled || action.busy}
              icon={action.busy ? <BusySpinner /> : undefined}
              onClick={() =>
                action.run(async () => {
                  if ((await onConfirm()) !== false) onClose();
                })
              }
            >
              {confirmLabel}
            </Button>
            <Button disabled={action.busy} onClick={close}>
              {t('common.cancel')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
