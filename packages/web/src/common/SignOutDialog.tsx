/**
 * @module SignOutDialog
 * Asked before *Sign out* ends a live help session: leaving ends it for both sides. Confirming
 * leaves the session (the other person is told at once) and then signs out.
 */
import { useTranslation } from 'react-i18next';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
} from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';

/** Props of {@link SignOutDialog}. */
export interface SignOutDialogProps {
  open: boolean;
  /** The other participant's name, when known. */
  peerName: string | null;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** See the module description. */
export function SignOutDialog({ open, peerName, busy, onConfirm, onCancel }: SignOutDialogProps) {
  const { t } = useTranslation();
  const name = peerName ? `\u2068${peerName}\u2069` : t('common.someone');
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_event, data) => !data.open && onCancel()}>
      <DialogSurface data-testid="sign-out-dialog">
        <DialogBody>
          <DialogTitle>{t('topBar.signOutDialog.title')}</DialogTitle>
          <DialogContent>{t('topBar.signOutDialog.body', { name })}</DialogContent>
          <DialogActions>
            <Button appearance="primary" icon={<SignOutRegular />} disabled={busy} onClick={onConfirm}>
              {t('topBar.signOutDialog.confirm')}
            </Button>
            <DialogTrigger disableButtonEnhancement>
              <Button appearance="secondary" disabled={busy}>
                {t('topBar.signOutDialog.stay')}
              </Button>
            </DialogTrigger>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
