/**
 * @module admin/directory/UserPasskeys
 * A person's passkeys as the administrator sees them on the user page (how many, their names)
 * and "Remove passkeys" after a confirmation, for a lost or stolen device: the person then
 * signs in with their password (and authenticator app, if any) and adds new ones.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import { KeyMultipleRegular } from '@fluentui/react-icons';
import type { Passkey } from '@remote-help/protocol';
import { api } from '../../common/api';
import { ConfirmDialog } from '../common/ConfirmDialog';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  names: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
});

/** See the module description. */
export function UserPasskeys({ userId, displayName }: { userId: string; displayName: string }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [confirm, setConfirm] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .listUserPasskeys({ params: { id: userId } })
      .then((r) => live && setPasskeys(r.passkeys))
      .catch(() => live && setPasskeys(null));
    return () => {
      live = false;
    };
  }, [userId]);

  if (!passkeys) return null;
  return (
    <>
      <div className={styles.row} data-testid="user-passkeys">
        <Text>{t('account.passkeys.admin.label')}</Text>
        <Badge appearance="tint" color={passkeys.length ? 'brand' : 'informative'}>
          {passkeys.length
            ? t('account.passkeys.admin.count', { count: passkeys.length })
            : t('account.passkeys.admin.none')}
        </Badge>
        {passkeys.length > 0 && (
          <Text size={200} className={styles.names}>
            {passkeys.map((p) => p.name).join(', ')}
          </Text>
        )}
        {passkeys.length > 0 && (
          <Button size="small" icon={<KeyMultipleRegular />} onClick={() => setConfirm(true)}>
            {t('account.passkeys.admin.remove')}
          </Button>
        )}
      </div>
      <ConfirmDialog
        open={confirm}
        title={t('account.passkeys.admin.removeTitle', { name: displayName })}
        confirmLabel={t('account.passkeys.admin.remove')}
        danger
        onConfirm={async () => {
          await api.removeUserPasskeys({ params: { id: userId }, body: {} });
          setPasskeys([]);
        }}
        onClose={() => setConfirm(false)}
        testId="confirm-remove-passkeys"
      >
        {t('account.passkeys.admin.removeBody')}
      </ConfirmDialog>
    </>
  );
}
