/**
 * @module admin/directory/OneTimePassword
 * Shows a password the server generated, once: in a dialog with Copy, and the warning that
 * it cannot be shown again (the server keeps only its hash). Leaving the page while it is shown
 * (Back, a link, a reload) asks first.
 */
import { useState } from 'react';
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
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CopyRegular } from '@fluentui/react-icons';
import { useLeaveGuard } from '../../common/LeaveGuard';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  password: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase500,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    userSelect: 'all',
    direction: 'ltr',
  },
});

export interface OneTimePasswordProps {
  /** The password, or null when nothing is to be shown. */
  password: string | null;
  /** Whose password it is (their sign-in name). */
  account: string;
  onClose: () => void;
}

/** See the module description. */
export function OneTimePassword({ password, account, onClose }: OneTimePasswordProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [copied, setCopied] = useState(false);
  useLeaveGuard(password !== null, 'shownOnce');
  return (
    <Dialog open={password !== null} modalType="alert" onOpenChange={(_, d) => (d.open ? undefined : onClose())}>
      <DialogSurface data-testid="one-time-password">
        <DialogBody>
          <DialogTitle>{t('admin.directory.password.title')}</DialogTitle>
          <DialogContent className={styles.content}>
            <Text>{t('admin.directory.password.body', { account })}</Text>
            <div className={styles.row}>
              <bdi className={styles.password} data-testid="generated-password">
                {password}
              </bdi>
              <Button
                icon={<CopyRegular />}
                onClick={() => {
                  if (!password) return;
                  void navigator.clipboard?.writeText(password).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  );
                }}
              >
                {copied ? t('admin.directory.password.copied') : t('admin.directory.password.copy')}
              </Button>
            </div>
            <MessageBar intent="warning">
              <MessageBarBody>{t('admin.directory.password.once')}</MessageBarBody>
            </MessageBar>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>
              {t('admin.directory.password.done')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
