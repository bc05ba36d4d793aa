/**
 * @module admin/directory/UserList
 * `/admin/directory/users` (Users and groups › All users): the organization's people, searched
 * by name or email, filtered by account status, a page at a time, by display name; the view is
 * kept in the address (`listViews`). "New user" opens the create dialog; a name opens the
 * person's page.
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import {
  Avatar,
  Badge,
  Body1,
  Button,
  Dropdown,
  Option,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
  useFluent,
} from '@fluentui/react-components';
import {
  ArrowClockwiseRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  PersonAddRegular,
} from '@fluentui/react-icons';
import type { DirectoryUserPage } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { useAddressSearch } from '../../common/typingPause';
import { Crumbs } from './Crumbs';
import {
  USER_PAGE_SIZE,
  paramsFromUserView,
  queryOfUserView,
  userViewFromParams,
  type UserListView,
  type UserStatus,
} from './listViews';
import { LoadFailed } from './LoadFailed';
import { NewUserDialog } from './NewUserDialog';
import { Upn } from './Upn';
import { useLoad } from './useLoad';

const useStyles = makeStyles({
  intro: { color: tokens.colorNeutralForeground2 },
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  search: { minWidth: '280px', flexGrow: 1, maxWidth: '480px' },
  toolbar: { paddingInline: 0 },
  link: {
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'none',
    fontWeight: tokens.fontWeightSemibold,
    ':hover': { textDecorationLine: 'underline' },
  },
  muted: { color: tokens.colorNeutralForeground3 },
  upn: { overflowWrap: 'anywhere' },
  pager: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, justifyContent: 'flex-end' },
  empty: { paddingBlock: tokens.spacingVerticalXXL, textAlign: 'center', color: tokens.colorNeutralForeground2 },
});

/** See the module description. */
export function UserList() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { dir } = useFluent();
  const [params, setParams] = useSearchParams();
  const view = userViewFromParams(params);
  const key = paramsFromUserView(view).toString();
  const show = useCallback((next: UserListView) => setParams(paramsFromUserView(next), { replace: true }), [setParams]);
  // Typing searches after a short pause; the address (and so the server) follows.
  const [search, setSearch] = useAddressSearch(
    view.search,
    useCallback(
      (text) => show({ ...userViewFromParams(new URLSearchParams(key)), search: text, page: 0 }),
      [key, show],
    ),
  );
  const [creating, setCreating] = useState(false);
  const { state, reload } = useLoad<DirectoryUserPage>(() => api.listUsers({ query: queryOfUserView(view) }), key);
  const page = state.data;
  const offset = view.page * USER_PAGE_SIZE;
  const statusLabel = (s: UserStatus) => t(`admin.directory.users.status.${s}`);

  return (
    <Panel title={t('admin.directory.users.title')} width="wide" data-testid="user-list">
      <Crumbs items={[{ label: t('admin.nav.directory') }, { label: t('admin.directory.users.title') }]} />
      <Body1 className={styles.intro}>{t('admin.directory.users.intro')}</Body1>
      <Toolbar className={styles.toolbar} aria-label={t('admin.directory.users.toolbar')}>
        <ToolbarButton appearance="primary" icon={<PersonAddRegular />} onClick={() => setCreating(true)}>
          {t('admin.directory.users.new')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.directory.refresh')}
        </ToolbarButton>
      </Toolbar>
      <div className={styles.filters}>
        <SearchBox
          className={styles.search}
          value={search}
          onChange={(_, d) => setSearch(d.value)}
          placeholder={t('admin.directory.users.search')}
          aria-label={t('admin.directory.users.search')}
          maxLength={128}
        />
        <Dropdown
          aria-label={t('admin.directory.users.statusFilter')}
          value={statusLabel(view.status)}
          selectedOptions={[view.status]}
          onOptionSelect={(_, d) =>
            show({ ...view, status: (d.optionValue as UserStatus | undefined) ?? 'all', page: 0 })
          }
        >
          {(['all', 'enabled', 'disabled'] as const).map((s) => (
            <Option key={s} value={s}>
              {statusLabel(s)}
            </Option>
          ))}
        </Dropdown>
        {state.status === 'loading' ? <Spinner size="tiny" label={t('admin.directory.loading')} /> : null}
      </div>
      {state.status === 'error' ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      {page ? (
        <>
          <Table aria-label={t('admin.directory.users.title')} data-testid="user-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.directory.users.columns.name')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.users.columns.upn')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.users.columns.jobTitle')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.users.columns.company')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.users.columns.status')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.users.map((user) => (
                <TableRow key={user.id} data-testid="user-row" data-email={user.email}>
                  <TableCell>
                    <TableCellLayout
                      media={
                        <Avatar
                          size={32}
                          name={user.displayName}
                          color="colorful"
                          image={user.photoUrl ? { src: user.photoUrl, alt: '' } : undefined}
                          data-testid="user-row-avatar"
                        />
                      }
                    >
                      <a
                        className={styles.link}
                        href={`/admin/directory/users/${user.id}`}
                        onClick={(event) => {
                          event.preventDefault();
                          void navigate(`/admin/directory/users/${user.id}`);
                        }}
                      >
                        <bdi>{user.displayName}</bdi>
                      </a>
                    </TableCellLayout>
                  </TableCell>
                  <TableCell className={styles.upn}>
                    <Upn value={user.email} />
                  </TableCell>
                  <TableCell>{user.jobTitle ?? <span className={styles.muted}>—</span>}</TableCell>
                  <TableCell>{user.company ?? <span className={styles.muted}>—</span>}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={user.disabled ? 'danger' : 'success'}>
                      {t(user.disabled ? 'admin.directory.users.disabled' : 'admin.directory.users.enabled')}
                    </Badge>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {page.users.length === 0 ? (
            <Text className={styles.empty} data-testid="user-list-empty">
              {view.search || view.status !== 'all'
                ? t('admin.directory.users.noMatch')
                : t('admin.directory.users.none')}
            </Text>
          ) : null}
          <div className={styles.pager}>
            <Text className={styles.muted} aria-live="polite">
              {page.total === 0
                ? t('admin.directory.users.count', { count: 0 })
                : t('admin.directory.users.range', {
                    from: offset + 1,
                    to: offset + page.users.length,
                    total: page.total,
                  })}
            </Text>
            <Button
              icon={dir === 'rtl' ? <ChevronRightRegular /> : <ChevronLeftRegular />}
              disabled={offset === 0}
              onClick={() => show({ ...view, page: Math.max(0, view.page - 1) })}
            >
              {t('admin.directory.previous')}
            </Button>
            <Button
              icon={dir === 'rtl' ? <ChevronLeftRegular /> : <ChevronRightRegular />}
              iconPosition="after"
              disabled={offset + USER_PAGE_SIZE >= page.total}
              onClick={() => show({ ...view, page: view.page + 1 })}
            >
              {t('admin.directory.next')}
            </Button>
          </div>
        </>
      ) : null}
      <NewUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => void navigate(`/admin/directory/users/${id}`)}
      />
    </Panel>
  );
}
