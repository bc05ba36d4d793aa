/**
 * @module admin/directory/UserIdentities
 * A person's organization sign-in links on the user page: the accounts at the organization's
 * identity providers that sign in as them (provider, when linked, the account's id there), and
 * "Unlink" after a confirmation that says what happens. The way back in when their account at
 * the provider was deleted and made again: a person linked to one account there is refused for
 * another claiming their email until the old link is gone; their next sign-in then links the
 * account they use. Shown only when the person has links and the viewer holds `users.manage`.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Caption1, MessageBar, MessageBarBody, Text, makeStyles, tokens } from '@fluentui/react-components';
import { LinkDismissRegular } from '@fluentui/react-icons';
import type { UserIdentity } from '@remote-help/protocol';
import { api } from '../../common/api';
import { useMe } from '../../common/meContext';
import { ConfirmDialog } from '../common/ConfirmDialog';
import { Card } from './Card';

const useStyles = makeStyles({
  hint: { color: tokens.colorNeutralForeground3 },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column' },
  item: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    flexWrap: 'wrap',
    paddingBlock: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  what: { display: 'flex', flexDirection: 'column', flexGrow: 1, minWidth: '180px', overflowWrap: 'anywhere' },
  meta: { color: tokens.colorNeutralForeground3 },
});

/** See the module description. */
export function UserIdentities({ userId, displayName }: { userId: string; displayName: string }) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const { state: me } = useMe();
  const mayManage = me.status === 'signedIn' && me.me.permissions.includes('users.manage');
  const [identities, setIdentities] = useState<UserIdentity[] | null>(null);
  // The link the dialog is about; kept while the dialog closes, so its words do not change on the way out.
  const [unlinking, setUnlinking] = useState<UserIdentity | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [unlinked, setUnlinked] = useState<string | null>(null);

  useEffect(() => {
    setIdentities(null);
    setUnlinked(null);
    if (!mayManage) return;
    let live = true;
    api
      .listUserIdentities({ params: { id: userId } })
      .then((r) => live && setIdentities(r.identities))
      .catch(() => live && setIdentities(null));
    return () => {
      live = false;
    };
  }, [userId, mayManage]);

  // Nothing to show (or to do) without links; after the last one is unlinked, the card stays to say so.
  if (!mayManage || !identities || (identities.length === 0 && !unlinked)) return null;
  const date = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' }).format(new Date(iso));
  return (
    <Card title={t('admin.directory.user.links.title')} testId="user-identities">
      <Caption1 className={styles.hint}>{t('admin.directory.user.links.intro')}</Caption1>
      {identities.length > 0 && (
        <ul className={styles.list} aria-label={t('admin.directory.user.links.title')}>
          {identities.map((identity) => (
            <li key={`${identity.providerId} ${identity.subject}`} className={styles.item} data-testid="user-identity">
              <div className={styles.what}>
                <Text weight="semibold">
                  <bdi>{identity.providerName}</bdi>
                </Text>
                <Text size={200} className={styles.meta}>
                  {t('admin.directory.user.links.linkedOn', { date: date(identity.linkedAt) })}
                </Text>
                <Text size={200} className={styles.meta}>
                  {t('admin.directory.user.links.subject', { subject: identity.subject })}
                </Text>
              </div>
              <Button
                size="small"
                icon={<LinkDismissRegular />}
                aria-label={t('admin.directory.user.links.unlinkOne', { provider: identity.providerName })}
                onClick={() => {
                  setUnlinking(identity);
                  setConfirm(true);
                }}
              >
                {t('admin.directory.user.links.unlink')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {unlinked && (
        <MessageBar intent="success" data-testid="identity-unlinked">
          <MessageBarBody>{t('admin.directory.user.links.unlinked', { provider: unlinked })}</MessageBarBody>
        </MessageBar>
      )}
      <ConfirmDialog
        open={confirm}
        title={t('admin.directory.user.links.unlinkTitle', {
          name: displayName,
          provider: unlinking?.providerName ?? '',
        })}
        confirmLabel={t('admin.directory.user.links.unlink')}
        danger
        onConfirm={async () => {
          if (!unlinking) return;
          await api.unlinkUserIdentity({ params: { id: userId, providerId: unlinking.providerId } });
          setIdentities((current) => (current ?? []).filter((i) => i.providerId !== unlinking.providerId));
          setUnlinked(unlinking.providerName);
        }}
        onClose={() => setConfirm(false)}
        testId="confirm-unlink-identity"
      >
        {t('admin.directory.user.links.unlinkBody', { provider: unlinking?.providerName ?? '' })}
      </ConfirmDialog>
    </Card>
  );
}
