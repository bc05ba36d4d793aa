/**
 * @module admin/directory/GroupList
 * `/admin/directory/groups` (Users and groups › Groups): the organization's groups of users
 * and of devices, with how their members come in (assigned, or by a rule for dynamic device
 * groups) and how many there are now. Filtered by type and name, at once as one types; the
 * filter is kept in the address after the typing pause (`listViews`). "New group" creates one.
 */
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import {
  Badge,
  Body1,
  SearchBox,
  Spinner,
  Tab,
  TabList,
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
} from '@fluentui/react-components';
import { AddRegular, ArrowClockwiseRegular, DesktopRegular, PeopleRegular } from '@fluentui/react-icons';
import type { GroupView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { useAddressSearch } from '../../common/typingPause';
import { Crumbs } from './Crumbs';
import { groupViewFromParams, paramsFromGroupView, type GroupKind, type GroupListView } from './listViews';
import { LoadFailed } from './LoadFailed';
import { NewGroupDialog } from './NewGroupDialog';
import { ruleSentence } from './ruleSentence';
import { useLoad } from './useLoad';

const useStyles = makeStyles({
  intro: { color: tokens.colorNeutralForeground2 },
  toolbar: { paddingInline: 0 },
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'center' },
  search: { minWidth: '240px', maxWidth: '400px', flexGrow: 1 },
  link: {
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'none',
    fontWeight: tokens.fontWeightSemibold,
    ':hover': { textDecorationLine: 'underline' },
  },
  muted: { color: tokens.colorNeutralForeground3 },
  rule: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  empty: { paddingBlock: tokens.spacingVerticalXXL, textAlign: 'center', color: tokens.colorNeutralForeground2 },
});

/** See the module description. */
export function GroupList() {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const { state: me } = useMe();
  const mayManageDevices = me.status === 'signedIn' && me.me.permissions.includes('devices.manage');
  const [params, setParams] = useSearchParams();
  const view = groupViewFromParams(params);
  const key = paramsFromGroupView(view).toString();
  const show = useCallback(
    (next: GroupListView) => setParams(paramsFromGroupView(next), { replace: true }),
    [setParams],
  );
  const filter = view.kind;
  // The list follows the box at once; the address after the typing pause.
  const [search, setSearch] = useAddressSearch(
    view.search,
    useCallback((text) => show({ ...groupViewFromParams(new URLSearchParams(key)), search: text }), [key, show]),
  );
  const [creating, setCreating] = useState(false);
  const { state, reload } = useLoad<GroupView[]>(async () => (await api.listGroups()).groups, 'groups');

  const needle = search.trim().toLowerCase();
  const shown = (state.data ?? [])
    .filter((g) => filter === 'all' || g.kind === filter)
    .filter((g) => !needle || g.name.toLowerCase().includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name));

  return (
    <Panel title={t('admin.directory.groups.title')} width="wide" data-testid="group-list">
      <Crumbs items={[{ label: t('admin.nav.directory') }, { label: t('admin.directory.groups.title') }]} />
      <Body1 className={styles.intro}>{t('admin.directory.groups.intro')}</Body1>
      <Toolbar className={styles.toolbar} aria-label={t('admin.directory.groups.toolbar')}>
        <ToolbarButton appearance="primary" icon={<AddRegular />} onClick={() => setCreating(true)}>
          {t('admin.directory.groups.new')}
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={reload}>
          {t('admin.directory.refresh')}
        </ToolbarButton>
      </Toolbar>
      <div className={styles.filters}>
        <TabList selectedValue={filter} onTabSelect={(_, d) => show({ ...view, search, kind: d.value as GroupKind })}>
          <Tab value="all">{t('admin.directory.groups.filter.all')}</Tab>
          <Tab value="user" icon={<PeopleRegular />}>
            {t('admin.directory.groups.filter.user')}
          </Tab>
          <Tab value="device" icon={<DesktopRegular />}>
            {t('admin.directory.groups.filter.device')}
          </Tab>
        </TabList>
        <SearchBox
          className={styles.search}
          value={search}
          onChange={(_, d) => setSearch(d.value)}
          placeholder={t('admin.directory.groups.search')}
          aria-label={t('admin.directory.groups.search')}
        />
        {state.status === 'loading' ? <Spinner size="tiny" label={t('admin.directory.loading')} /> : null}
      </div>
      {state.status === 'error' ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      {state.data ? (
        <>
          <Table aria-label={t('admin.directory.groups.title')} data-testid="group-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.directory.groups.columns.name')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.groups.columns.type')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.groups.columns.membership')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.groups.columns.members')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.directory.groups.columns.description')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((group) => (
                <TableRow key={group.id} data-testid="group-row" data-group={group.name}>
                  <TableCell>
                    <TableCellLayout media={group.kind === 'user' ? <PeopleRegular /> : <DesktopRegular />}>
                      <a
                        className={styles.link}
                        href={`/admin/directory/groups/${group.id}`}
                        onClick={(event) => {
                          event.preventDefault();
                          void navigate(`/admin/directory/groups/${group.id}`);
                        }}
                      >
                        <bdi>{group.name}</bdi>
                      </a>
                    </TableCellLayout>
                  </TableCell>
                  <TableCell>{t(`admin.directory.groups.kind.${group.kind}`)}</TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={group.rule ? 'brand' : 'informative'}>
                      {t(
                        group.rule
                          ? 'admin.directory.groups.membership.dynamic'
                          : 'admin.directory.groups.membership.assigned',
                      )}
                    </Badge>
                    {group.rule ? <div className={styles.rule}>{ruleSentence(t, group.rule)}</div> : null}
                  </TableCell>
                  <TableCell>{group.members.length}</TableCell>
                  <TableCell className={styles.muted}>{group.description}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {shown.length === 0 ? (
            <Text className={styles.empty}>
              {state.data.length === 0 ? t('admin.directory.groups.none') : t('admin.directory.groups.noMatch')}
            </Text>
          ) : null}
        </>
      ) : null}
      <NewGroupDialog
        open={creating}
        mayManageDevices={mayManageDevices}
        onClose={() => setCreating(false)}
        onCreated={(id) => void navigate(`/admin/directory/groups/${id}`)}
      />
    </Panel>
  );
}
