/**
 * @module admin/directory/UserAccount
 * Whether a person may sign in: disable (after a confirmation that says what happens: no new
 * sign-in, their open sign-ins and live Remote Help sessions end) or enable again; and reset
 * the password to a generated one, shown once. Nobody disables their own account here. Their
 * passkeys: how many, and removing them (`UserPasskeys`).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, Button, Caption1, Text, makeStyles, tokens } from '@fluentui/react-components';
import { KeyResetRegular, PersonAvailableRegular, PersonProhibitedRegular } from '@fluentui/react-icons';
import type { DirectoryUserView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Card } from './Card';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { OneTimePassword } from './OneTimePassword';
import { UserPasskeys } from './UserPasskeys';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  hint: { color: tokens.colorNeutralForeground3 },
});

export interface UserAccountProps {
  user: DirectoryUserView;
  /** The signed-in administrator's own id. */
  selfId: string | null;
  onChanged: (user: DirectoryUserView) => void;
}

/** See the module description. */
export function UserAccount({ user, selfId, onChanged }: UserAccountProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [confirm, setConfirm] = useState<'disable' | 'enable' | 'reset' | null>(null);
  const [password, setPassword] = useState<string | null>(null);
  const self = user.id === selfId;

  const setDisabled = async (disabled: boolean) => {
    const { user: next } = await api.updateUser({ params: { id: user.id }, body: { disabled } });
    onChanged(next);
  };

  return (
    <Card title={t('admin.directory.user.account')} testId="user-account">
      <div className={styles.row}>
        <Text>{t('admin.directory.user.signIn')}</Text>
        <Badge appearance="filled" color={user.disabled ? 'danger' : 'success'} data-testid="account-status">
          {t(user.disabled ? 'admin.directory.users.disabled' : 'admin.directory.users.enabled')}
        </Badge>
      </div>
      <div className={styles.buttons}>
        {user.disabled ? (
          <Button icon={<PersonAvailableRegular />} onClick={() => setConfirm('enable')}>
            {t('admin.directory.user.enable')}
          </Button>
        ) : (
          <Button icon={<PersonProhibitedRegular />} disabled={self} onClick={() => setConfirm('disable')}>
            {t('admin.directory.user.disable')}
          </Button>
        )}
        <Button icon={<KeyResetRegular />} onClick={() => setConfirm('reset')}>
          {t('admin.directory.user.resetPassword')}
        </Button>
      </div>
      {self ? <Caption1 className={styles.hint}>{t('admin.directory.user.cannotDisableSelf')}</Caption1> : null}
      <UserPasskeys userId={user.id} displayName={user.displayName} />
      <ConfirmDialog
        open={confirm === 'disable'}
        title={t('admin.directory.user.disableTitle', { name: user.displayName })}
        confirmLabel={t('admin.directory.user.disable')}
        danger
        onConfirm={() => setDisabled(true)}
        onClose={() => setConfirm(null)}
        testId="confirm-disable"
      >
        {t('admin.directory.user.disableBody')}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'enable'}
        title={t('admin.directory.user.enableTitle', { name: user.displayName })}
        confirmLabel={t('admin.directory.user.enable')}
        onConfirm={() => setDisabled(false)}
        onClose={() => setConfirm(null)}
      >
        {t('admin.directory.user.enableBody')}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'reset'}
        title={t('admin.directory.user.resetTitle', { name: user.displayName })}
        confirmLabel={t('admin.directory.user.resetPassword')}
        onConfirm={async () => {
          const { generatedPassword } = await api.resetPassword({ params: { id: user.id }, body: {} });
          setPassword(generatedPassword);
        }}
        onClose={() => setConfirm(null)}
        testId="confirm-reset"
      >
        {t('admin.directory.user.resetBody')}
      </ConfirmDialog>
      <OneTimePassword password={password} account={user.email} onClose={() => setPassword(null)} />
    </Card>
  );
}
