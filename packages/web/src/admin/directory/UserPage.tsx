/**
 * @module admin/directory/UserPage
 * `/admin/directory/users/:id`: one person of the directory. Their picture, name, sign-in
 * name and whether they may sign in at the top; below, the profile, the picture, the account
 * (disable or enable, reset the password), their organization sign-in links (when they have
 * any) and their groups.
 */
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { Avatar, Badge, Body1, Spinner, Subtitle1, makeStyles, tokens } from '@fluentui/react-components';
import type { DirectoryUserView, GroupView } from '@remote-help/protocol';
import { ApiError, api } from '../../common/api';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { Crumbs } from './Crumbs';
import { LoadFailed } from './LoadFailed';
import { UserAccount } from './UserAccount';
import { UserGroups } from './UserGroups';
import { UserIdentities } from './UserIdentities';
import { UserPicture } from './UserPicture';
import { UserProfile } from './UserProfile';
import { useLoad } from './useLoad';

const useStyles = makeStyles({
  header: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  who: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  upn: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(360px, 1fr))',
    gap: tokens.spacingHorizontalL,
    alignItems: 'start',
    '@media (max-width: 480px)': { gridTemplateColumns: '1fr' },
  },
});

interface Loaded {
  user: DirectoryUserView;
  groups: GroupView[];
}

/** See the module description. */
export function UserPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const { state: me } = useMe();
  const selfId = me.status === 'signedIn' ? me.me.user.id : null;
  const { state, reload } = useLoad<Loaded>(async () => {
    const [{ user }, { groups }] = await Promise.all([api.getUser({ params: { id } }), api.listGroups()]);
    return { user, groups };
  }, id);
  const user = state.data?.user;
  const crumbs = [
    { label: t('admin.nav.directory') },
    { label: t('admin.directory.users.title'), to: '/admin/directory/users' },
    { label: user?.displayName ?? '…' },
  ];
  // After a change the page loads again, so it shows what the server has (a new picture URL too).
  const changed = () => reload();

  if (!user) {
    const notFound = state.status === 'error' && state.error instanceof ApiError && state.error.code === 'not_found';
    return (
      <Panel title={t('admin.directory.user.title')} width="wide" data-testid="user-page">
        <Crumbs items={crumbs} />
        {state.status === 'loading' ? <Spinner label={t('admin.directory.loading')} /> : null}
        {notFound ? <Body1>{t('admin.directory.user.notFound')}</Body1> : null}
        {state.status === 'error' && !notFound ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      </Panel>
    );
  }

  return (
    <Panel title={<bdi>{user.displayName}</bdi>} width="wide" data-testid="user-page">
      <Crumbs items={crumbs} />
      <div className={styles.header}>
        <Avatar
          size={72}
          name={user.displayName}
          color="colorful"
          image={user.photoUrl ? { src: user.photoUrl, alt: '' } : undefined}
          data-testid="user-header-avatar"
        />
        <div className={styles.who}>
          <Subtitle1>
            <bdi>{[user.jobTitle, user.company].filter(Boolean).join(' · ') || user.displayName}</bdi>
          </Subtitle1>
          <Body1 className={styles.upn}>
            <bdi>{user.email}</bdi>
          </Body1>
        </div>
        <Badge appearance="tint" color={user.disabled ? 'danger' : 'success'}>
          {t(user.disabled ? 'admin.directory.users.disabled' : 'admin.directory.users.enabled')}
        </Badge>
        {state.status === 'loading' ? <Spinner size="tiny" aria-label={t('admin.directory.loading')} /> : null}
      </div>
      {state.status === 'error' ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      <div className={styles.grid}>
        <UserProfile user={user} onSaved={changed} />
        <UserPicture user={user} onChanged={changed} />
        <UserAccount user={user} selfId={selfId} onChanged={changed} />
        <UserIdentities userId={user.id} displayName={user.displayName} />
        <UserGroups
          user={user}
          groups={state.data?.groups ?? []}
          onChanged={changed}
          onOpenGroup={(groupId) => void navigate(`/admin/directory/groups/${groupId}`)}
        />
      </div>
    </Panel>
  );
}
