/**
 * @module admin/directory/GroupMembers
 * Who or what is in a group now. People of a user group (picture, name, sign-in name) and
 * devices of a device group (name, OS and version, model). An assigned group's members are
 * added by searching and removed one by one (`PUT …/groups/:id/members` with the whole list);
 * a dynamic group's members are the devices its rule matches, shown read-only.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  Avatar,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Table,
  TableBody,
  TableCell,
  TableCellLayout,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { DesktopRegular, DismissRegular } from '@fluentui/react-icons';
import type { DeviceView, DirectoryUserView, GroupView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { Card } from './Card';
import { LoadFailed } from './LoadFailed';
import type { Candidate } from './MemberPicker';
import { MemberPicker } from './MemberPicker';
import { Upn } from './Upn';
import { useLoad } from './useLoad';

const useStyles = makeStyles({
  muted: { color: tokens.colorNeutralForeground3 },
  link: {
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'none',
    fontWeight: tokens.fontWeightSemibold,
    ':hover': { textDecorationLine: 'underline' },
  },
  detail: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  actions: { width: '120px' },
});

/** What a member row shows. */
interface Row {
  id: string;
  name: string;
  detail: string;
  photoUrl?: string | null;
}

/** "macOS · 14.5 · MacBookPro18,3". */
const deviceDetail = (t: TFunction, d: DeviceView) =>
  [t(`admin.directory.rule.os.${d.inventory.os}`), d.inventory.osVersion, d.inventory.model]
    .filter(Boolean)
    .join(' · ');

async function loadRows(t: TFunction, group: GroupView): Promise<{ rows: Row[]; names: boolean }> {
  if (group.kind === 'user') {
    if (group.members.length === 0) return { rows: [], names: true };
    const page = await api.listUsers({ query: { groupId: group.id, limit: 200 } });
    const byId = new Map<string, DirectoryUserView>(page.users.map((u) => [u.id, u]));
    return {
      rows: group.members.map((id) => {
        const u = byId.get(id);
        return { id, name: u?.displayName ?? id, detail: u?.email ?? '', photoUrl: u?.photoUrl ?? null };
      }),
      names: true,
    };
  }
  // Device names need "Read devices"; without it the ids are all there is to show.
  try {
    const page = await api.listDevices({ query: { enrollment: 'all', limit: 200 } });
    const byId = new Map(page.devices.map((d) => [d.id, d]));
    return {
      rows: group.members.map((id) => {
        const d = byId.get(id);
        return { id, name: d?.name ?? id, detail: d ? deviceDetail(t, d) : '' };
      }),
      names: true,
    };
  } catch {
    return { rows: group.members.map((id) => ({ id, name: id, detail: '' })), names: false };
  }
}

export interface GroupMembersProps {
  group: GroupView;
  disabled: boolean;
  onChanged: () => void;
}

/** See the module description. */
export function GroupMembers({ group, disabled, onChanged }: GroupMembersProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const navigate = useNavigate();
  const action = useAsyncAction();
  const { state, reload } = useLoad(
    () => loadRows(t, group),
    `${group.id}|${group.updatedAt}|${group.members.join(',')}`,
  );
  const dynamic = group.rule !== null;

  const setMembers = (members: string[]) =>
    action.run(async () => {
      await api.setGroupMembers({ params: { id: group.id }, body: { members } });
      onChanged();
    });

  const search = async (text: string): Promise<Candidate[]> => {
    if (group.kind === 'user') {
      const page = await api.listUsers({ query: { search: text || undefined, limit: 10 } });
      return page.users
        .filter((u) => !group.members.includes(u.id))
        .map((u) => ({ id: u.id, label: u.displayName, detail: u.email }));
    }
    const page = await api.listDevices({ query: { search: text || undefined, limit: 10 } });
    return page.devices
      .filter((d) => !group.members.includes(d.id))
      .map((d) => ({ id: d.id, label: d.name, detail: deviceDetail(t, d) }));
  };

  const title = t(group.kind === 'user' ? 'admin.directory.members.people' : 'admin.directory.members.devices', {
    count: group.members.length,
  });
  return (
    <Card title={title} testId="group-members">
      {dynamic ? <Caption1 className={styles.muted}>{t('admin.directory.members.dynamic')}</Caption1> : null}
      {!dynamic && !disabled ? (
        <MemberPicker
          label={t(group.kind === 'user' ? 'admin.directory.members.addPerson' : 'admin.directory.members.addDevice')}
          placeholder={t(
            group.kind === 'user' ? 'admin.directory.members.searchPeople' : 'admin.directory.members.searchDevices',
          )}
          search={search}
          busy={action.busy}
          onAdd={(id) => setMembers([...group.members, id])}
        />
      ) : null}
      {action.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {state.status === 'error' ? <LoadFailed error={state.error} onRetry={reload} /> : null}
      {state.data && !state.data.names ? (
        <Caption1 className={styles.muted}>{t('admin.directory.members.noDeviceNames')}</Caption1>
      ) : null}
      {group.members.length === 0 ? (
        <Text className={styles.muted} data-testid="no-members">
          {t(dynamic ? 'admin.directory.members.noneMatch' : 'admin.directory.members.none')}
        </Text>
      ) : state.data ? (
        <Table size="small" aria-label={title}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.directory.members.name')}</TableHeaderCell>
              <TableHeaderCell>
                {t(group.kind === 'user' ? 'admin.directory.users.columns.upn' : 'admin.directory.members.system')}
              </TableHeaderCell>
              {!dynamic && !disabled ? <TableHeaderCell className={styles.actions} /> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {state.data.rows.map((row) => (
              <TableRow key={row.id} data-testid="member-row" data-member={row.name}>
                <TableCell>
                  <TableCellLayout
                    media={
                      group.kind === 'user' ? (
                        <Avatar
                          size={24}
                          name={row.name}
                          color="colorful"
                          image={row.photoUrl ? { src: row.photoUrl, alt: '' } : undefined}
                        />
                      ) : (
                        <DesktopRegular />
                      )
                    }
                  >
                    {group.kind === 'user' ? (
                      <a
                        className={styles.link}
                        href={`/admin/directory/users/${row.id}`}
                        onClick={(event) => {
                          event.preventDefault();
                          void navigate(`/admin/directory/users/${row.id}`);
                        }}
                      >
                        <bdi>{row.name}</bdi>
                      </a>
                    ) : (
                      <bdi>{row.name}</bdi>
                    )}
                  </TableCellLayout>
                </TableCell>
                <TableCell className={styles.detail}>
                  {group.kind === 'user' ? <Upn value={row.detail} /> : <bdi>{row.detail}</bdi>}
                </TableCell>
                {!dynamic && !disabled ? (
                  <TableCell className={styles.actions}>
                    <Button
                      appearance="subtle"
                      icon={<DismissRegular />}
                      disabled={action.busy}
                      aria-label={t('admin.directory.members.removeOne', { name: row.name })}
                      onClick={() => setMembers(group.members.filter((m) => m !== row.id))}
                    >
                      {t('admin.directory.remove')}
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </Card>
  );
}
