/**
 * @module admin/devices/DeviceListPage
 * Devices > All devices (`/admin/devices`): the organization's enrolled devices (a helper
 * sees the ones in their scope), searched, filtered, sorted and paged by the server. The
 * view lives in the address (`listQuery.ts`); a device's name opens its page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  Body1,
  Button,
  Caption1,
  Dropdown,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Toolbar,
  ToolbarButton,
  makeStyles,
  tokens,
  useFluent,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, ChevronLeftRegular, ChevronRightRegular } from '@fluentui/react-icons';
import type { AgentVersionSummary, DeviceSortKey, DeviceView } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { AgentVersions, BelowMinimumNote, isBelowMinimum } from './AgentVersions';
import { AppLink, ComplianceBadge, DateText, EnrollmentBadge, OnlineBadge, osName, osVersion } from './DeviceBadges';
import type { DeviceListView } from './listQuery';
import { PAGE_SIZE, paramsFromView, queryOfView, sortedBy, viewFromParams } from './listQuery';
import { useAddressSearch } from '../../common/typingPause';

const useStyles = makeStyles({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    alignItems: 'flex-end',
  },
  search: { minWidth: '280px', flexGrow: 1, maxWidth: '420px' },
  filter: { minWidth: '150px' },
  summary: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  tableWrap: { overflowX: 'auto' },
  secondary: { color: tokens.colorNeutralForeground3 },
  twoLines: { display: 'flex', flexDirection: 'column', paddingBlock: tokens.spacingVerticalXS },
  version: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalXXS,
    paddingBlock: tokens.spacingVerticalXS,
  },
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: tokens.spacingHorizontalS,
  },
  toolbar: { paddingInline: 0 },
});

type Load =
  | { status: 'loading'; last: { devices: DeviceView[]; total: number } | null }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; devices: DeviceView[]; total: number };

/** Columns, in order: the sort key each header sorts by. */
const COLUMNS = [
  { key: 'name', label: 'admin.devices.columns.name' },
  { key: 'primaryUser', label: 'admin.devices.columns.primaryUser' },
  { key: 'os', label: 'admin.devices.columns.os' },
  { key: 'enrollmentStatus', label: 'admin.devices.columns.enrollment' },
  { key: 'compliance', label: 'admin.devices.columns.compliance' },
  { key: 'lastCheckIn', label: 'admin.devices.columns.lastCheckIn' },
  { key: 'online', label: 'admin.devices.columns.online' },
] as const satisfies readonly { key: DeviceSortKey; label: string }[];

/** A filter drop-down: "All" (null) or one of `options`. */
function FilterDropdown<T extends string>({
  label,
  value,
  options,
  allLabel,
  onChange,
  className,
}: {
  label: string;
  value: T | null;
  options: readonly { value: T; text: string }[];
  allLabel: string | null;
  onChange: (value: T | null) => void;
  className: string;
}) {
  const all = '__all__';
  const selected = value ?? all;
  const text = value ? (options.find((o) => o.value === value)?.text ?? '') : (allLabel ?? '');
  return (
    <Field label={label} className={className}>
      <Dropdown
        value={text}
        selectedOptions={[selected]}
        onOptionSelect={(_, data) => onChange(data.optionValue === all ? null : (data.optionValue as T))}
      >
        {allLabel !== null ? <Option value={all}>{allLabel}</Option> : null}
        {options.map((o) => (
          <Option key={o.value} value={o.value}>
            {o.text}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** See the module description. */
export function DeviceListPage() {
  const { t } = useTranslation();
  const styles = useStyles();
  const { dir } = useFluent();
  const { state: meState } = useMe();
  const permissions = meState.status === 'signedIn' ? meState.me.permissions : [];
  const [params, setParams] = useSearchParams();
  const view = viewFromParams(params);
  const [load, setLoad] = useState<Load>({ status: 'loading', last: null });
  const [reloads, setReloads] = useState(0);
  const key = paramsFromView(view).toString();
  // Versions across the organization: for whoever sees every device (a helper sees only their scope).
  const seesAll = permissions.includes('devices.read') || permissions.includes('devices.manage');
  const [versions, setVersions] = useState<AgentVersionSummary | null>(null);

  const show = useCallback((next: DeviceListView) => setParams(paramsFromView(next), { replace: true }), [setParams]);

  // Typing searches after a short pause; the address (and so the server) follows.
  const [search, setSearch] = useAddressSearch(
    view.search,
    useCallback((text) => show({ ...viewFromParams(new URLSearchParams(key)), search: text, page: 0 }), [key, show]),
  );

  useEffect(() => {
    let live = true;
    setLoad((previous) => ({
      status: 'loading',
      last: previous.status === 'ready' ? previous : previous.status === 'loading' ? previous.last : null,
    }));
    api.listDevices({ query: queryOfView(viewFromParams(new URLSearchParams(key))) }).then(
      (page) => live && setLoad({ status: 'ready', devices: page.devices, total: page.total }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [key, reloads]);

  useEffect(() => {
    if (!seesAll) return;
    let live = true;
    api.getAgentVersions().then(
      (summary) => live && setVersions(summary),
      // The summary is extra: the list still shows each device's version without it.
      () => live && setVersions(null),
    );
    return () => {
      live = false;
    };
  }, [seesAll, reloads]);
  const minimum = versions?.policy.minimumVersion ?? null;

  const shown = load.status === 'ready' ? load : load.status === 'loading' ? load.last : null;
  const pages = shown ? Math.max(1, Math.ceil(shown.total / PAGE_SIZE)) : 1;
  const filtered = Boolean(view.search || view.os || view.compliance || view.online || view.enrollment !== 'enrolled');

  const sortDirection = (key: DeviceSortKey) =>
    view.sort === key ? (view.order === 'asc' ? 'ascending' : 'descending') : undefined;

  let body: ReactNode;
  if (load.status === 'failed') {
    body = (
      <MessageBar intent="error" data-testid="devices-error">
        <MessageBarBody>{errorText(t, load.error)}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={() => setReloads((n) => n + 1)}>{t('admin.devices.retry')}</Button>
        </MessageBarActions>
      </MessageBar>
    );
  } else if (!shown) {
    body = <Spinner label={t('admin.devices.loading')} />;
  } else if (shown.total === 0) {
    body = (
      <Body1 data-testid="devices-empty">
        {filtered ? t('admin.devices.emptyFiltered') : t('admin.devices.empty')}{' '}
        {!filtered && permissions.includes('devices.manage') ? (
          <AppLink to="/admin/devices/enrollment">{t('admin.devices.emptyEnroll')}</AppLink>
        ) : null}
      </Body1>
    );
  } else {
    body = (
      <div className={styles.tableWrap}>
        <Table
          sortable
          aria-label={t('admin.devices.tableLabel')}
          data-testid="device-table"
          aria-busy={load.status === 'loading'}
        >
          <TableHeader>
            <TableRow>
              {COLUMNS.map((column) => (
                <TableHeaderCell
                  key={column.key}
                  sortDirection={sortDirection(column.key)}
                  onClick={() => show(sortedBy(view, column.key))}
                >
                  {t(column.label)}
                </TableHeaderCell>
              ))}
              <TableHeaderCell>{t('admin.devices.columns.agentVersion')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.devices.map((device) => (
              <TableRow key={device.id} data-testid="device-row" data-device={device.name}>
                <TableCell>
                  <AppLink to={`/admin/devices/${encodeURIComponent(device.id)}`}>
                    <bdi>{device.name}</bdi>
                  </AppLink>
                </TableCell>
                <TableCell>
                  {device.primaryUser ? (
                    <bdi>{device.primaryUser.displayName}</bdi>
                  ) : (
                    <span className={styles.secondary}>{t('admin.devices.noPrimaryUser')}</span>
                  )}
                </TableCell>
                <TableCell>
                  <div className={styles.twoLines}>
                    <span>{osName(t, device.inventory)}</span>
                    <Caption1 className={styles.secondary}>
                      <bdi>{osVersion(t, device.inventory)}</bdi>
                    </Caption1>
                  </div>
                </TableCell>
                <TableCell>
                  <EnrollmentBadge status={device.enrollmentStatus} />
                </TableCell>
                <TableCell>
                  <ComplianceBadge state={device.compliance} />
                </TableCell>
                <TableCell>
                  <DateText iso={device.lastCheckInAt} />
                </TableCell>
                <TableCell>
                  <OnlineBadge online={device.online} />
                </TableCell>
                <TableCell data-testid="device-agent-version">
                  <div className={styles.version}>
                    <bdi>{device.inventory.agentVersion}</bdi>
                    {isBelowMinimum(device.inventory.agentVersion, minimum) ? <BelowMinimumNote /> : null}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    );
  }

  const osOptions = (['macos', 'linux', 'windows'] as const).map((value) => ({
    value,
    text: t(`admin.devices.os.${value}`),
  }));
  const complianceOptions = (['compliant', 'noncompliant', 'not_evaluated'] as const).map((value) => ({
    value,
    text: t(`admin.devices.compliance.${value}`),
  }));

  return (
    <Panel title={t('admin.devices.title')} width="wide" data-testid="device-list-page">
      <Body1>{t('admin.devices.intro')}</Body1>
      <div className={styles.filters} role="search">
        <Field label={t('admin.devices.search')} className={styles.search}>
          <SearchBox
            value={search}
            placeholder={t('admin.devices.searchPlaceholder')}
            onChange={(_, data) => setSearch(data.value)}
            maxLength={128}
          />
        </Field>
        <FilterDropdown
          label={t('admin.devices.columns.os')}
          value={view.os}
          options={osOptions}
          allLabel={t('admin.devices.all')}
          onChange={(os) => show({ ...view, os, page: 0 })}
          className={styles.filter}
        />
        <FilterDropdown
          label={t('admin.devices.columns.enrollment')}
          value={view.enrollment === 'all' ? null : view.enrollment}
          options={(['enrolled', 'revoked'] as const).map((value) => ({
            value,
            text: t(`admin.devices.enrollment.${value}`),
          }))}
          allLabel={t('admin.devices.all')}
          onChange={(enrollment) => show({ ...view, enrollment: enrollment ?? 'all', page: 0 })}
          className={styles.filter}
        />
        <FilterDropdown
          label={t('admin.devices.columns.compliance')}
          value={view.compliance}
          options={complianceOptions}
          allLabel={t('admin.devices.all')}
          onChange={(compliance) => show({ ...view, compliance, page: 0 })}
          className={styles.filter}
        />
        <FilterDropdown
          label={t('admin.devices.columns.online')}
          value={view.online}
          options={[
            { value: 'online' as const, text: t('admin.devices.online') },
            { value: 'offline' as const, text: t('admin.devices.offline') },
          ]}
          allLabel={t('admin.devices.all')}
          onChange={(online) => show({ ...view, online, page: 0 })}
          className={styles.filter}
        />
      </div>
      <div className={styles.summary}>
        <Caption1 aria-live="polite" data-testid="device-count">
          {shown ? t('admin.devices.count', { count: shown.total }) : ''}
        </Caption1>
        {load.status === 'loading' && shown ? (
          <Spinner size="extra-tiny" aria-label={t('admin.devices.loading')} />
        ) : null}
        <Toolbar className={styles.toolbar} aria-label={t('admin.devices.toolbar')}>
          <ToolbarButton icon={<ArrowClockwiseRegular />} onClick={() => setReloads((n) => n + 1)}>
            {t('admin.devices.refresh')}
          </ToolbarButton>
        </Toolbar>
      </div>
      {body}
      {versions ? <AgentVersions summary={versions} /> : null}
      {shown && shown.total > PAGE_SIZE ? (
        <nav className={styles.pager} aria-label={t('admin.devices.paging')}>
          <Button
            icon={dir === 'rtl' ? <ChevronRightRegular /> : <ChevronLeftRegular />}
            disabled={view.page === 0}
            onClick={() => show({ ...view, page: view.page - 1 })}
          >
            {t('admin.devices.previous')}
          </Button>
          <Caption1>{t('admin.devices.page', { page: view.page + 1, pages })}</Caption1>
          <Button
            icon={dir === 'rtl' ? <ChevronLeftRegular /> : <ChevronRightRegular />}
            iconPosition="after"
            disabled={view.page + 1 >= pages}
            onClick={() => show({ ...view, page: view.page + 1 })}
          >
            {t('admin.devices.next')}
          </Button>
        </nav>
      ) : null}
    </Panel>
  );
}
