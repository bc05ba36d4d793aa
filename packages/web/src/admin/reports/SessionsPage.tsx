/**
 * @module admin/reports/SessionsPage
 * Reports > Remote Help sessions (`/admin/reports/sessions`): the organization's session
 * history, newest first, filtered (free text, status, end reason, dates, and a helper, sharer
 * or device picked from a row or linked to, e.g. from a device's page with `?deviceId=`) and
 * paged by the server. Export CSV downloads the same filters' sessions.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  Body1,
  Button,
  Caption1,
  Field,
  SearchBox,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tooltip,
} from '@fluentui/react-components';
import { FilterRegular } from '@fluentui/react-icons';
import type { EndReason, SessionReport, SessionReportList, SessionReportStatus } from '@remote-help/protocol';
import { END_REASONS } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { complianceLabel } from './labels';
import {
  DateRange,
  DateTime,
  ExportCsvButton,
  FilterDropdown,
  FilterTag,
  LoadFailure,
  Pager,
  TwoLines,
  formatSeconds,
  useReportStyles,
} from './ReportParts';
import type { SessionsView } from './reportQuery';
import {
  PAGE_SIZE,
  paramsFromSessionsView,
  periodInverted,
  sessionFilters,
  sessionsFiltered,
  sessionsViewFromParams,
} from './reportQuery';
import { useAddressSearch } from '../../common/typingPause';

type Load =
  | { status: 'loading'; last: SessionReportList | null }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; list: SessionReportList };

/** A small button after a name that narrows the list to it. */
function NarrowTo({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Tooltip content={label} relationship="label">
      <Button appearance="transparent" size="small" icon={<FilterRegular />} onClick={onClick} />
    </Tooltip>
  );
}

/** See the module description. */
export function SessionsPage() {
  const { t } = useTranslation();
  const styles = useReportStyles();
  const [params, setParams] = useSearchParams();
  const view = sessionsViewFromParams(params);
  const key = paramsFromSessionsView(view).toString();
  const [load, setLoad] = useState<Load>({ status: 'loading', last: null });
  const [reloads, setReloads] = useState(0);
  // Names of the people and device filtered by, remembered from the row they were picked in.
  const [names, setNames] = useState<Record<string, string>>({});
  const inverted = periodInverted(view);

  const show = useCallback(
    (next: SessionsView) => setParams(paramsFromSessionsView(next), { replace: true }),
    [setParams],
  );
  const change = (patch: Partial<SessionsView>) => show({ ...view, ...patch, page: 0 });

  // Typing searches after a short pause.
  const [search, setSearch] = useAddressSearch(
    view.q,
    useCallback((text) => show({ ...sessionsViewFromParams(new URLSearchParams(key)), q: text, page: 0 }), [key, show]),
  );

  useEffect(() => {
    const current = sessionsViewFromParams(new URLSearchParams(key));
    if (periodInverted(current)) return;
    let live = true;
    setLoad((previous) => ({
      status: 'loading',
      last: previous.status === 'ready' ? previous.list : previous.status === 'loading' ? previous.last : null,
    }));
    api
      .listSessionReports({
        query: { ...sessionFilters(current), limit: PAGE_SIZE, offset: current.page * PAGE_SIZE },
      })
      .then(
        (list) => live && setLoad({ status: 'ready', list }),
        (error: unknown) => live && setLoad({ status: 'failed', error }),
      );
    return () => {
      live = false;
    };
  }, [key, reloads]);

  const remember = (id: string, name: string) => setNames((known) => ({ ...known, [id]: name }));
  const statusOptions: { value: SessionReportStatus; text: string }[] = [
    { value: 'live', text: t('admin.reports.statuses.live') },
    { value: 'ended', text: t('admin.reports.statuses.ended') },
  ];
  const reasonOptions: { value: EndReason; text: string }[] = END_REASONS.map((value) => ({
    value,
    text: t(`admin.reports.endReasons.${value}`),
  }));

  const shown = load.status === 'ready' ? load.list : load.status === 'loading' ? load.last : null;
  const filtered = sessionsFiltered(view);
  /** The name of a filtered-by id: as picked, else from a row of the list (a link brings only the id). */
  const nameOf = (id: string) => {
    if (names[id]) return names[id];
    for (const row of shown?.sessions ?? []) {
      if (row.helper.id === id) return row.helper.name;
      if (row.sharer?.id === id) return row.sharer.name;
      if (row.device?.id === id) return row.device.name;
    }
    return id;
  };

  const statusOf = (s: SessionReport) =>
    s.status === 'live' ? (
      <TwoLines first={t('admin.reports.statuses.live')} second={t(`admin.reports.states.${s.state}`)} />
    ) : (
      <TwoLines
        first={t('admin.reports.statuses.ended')}
        second={s.endReason ? t(`admin.reports.endReasons.${s.endReason}`) : undefined}
      />
    );

  let body: ReactNode;
  if (inverted) body = null;
  else if (load.status === 'failed')
    body = <LoadFailure error={load.error} onRetry={() => setReloads((n) => n + 1)} testId="sessions-error" />;
  else if (!shown) body = <Spinner label={t('admin.reports.common.loading')} />;
  else if (shown.total === 0)
    body = (
      <Body1 data-testid="sessions-empty">
        {filtered ? t('admin.reports.sessions.emptyFiltered') : t('admin.reports.sessions.empty')}
      </Body1>
    );
  else
    body = (
      <>
        <div className={styles.tableWrap}>
          <Table
            className={styles.table}
            aria-label={t('admin.reports.sessions.tableLabel')}
            aria-busy={load.status === 'loading'}
            data-testid="sessions-table"
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.reports.sessions.columns.created')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.helper')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.sharer')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.device')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.status')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.duration')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.highestMode')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.sessions.columns.compliance')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.sessions.map((s) => (
                <TableRow key={s.id} data-testid="sessions-row" data-session-id={s.id}>
                  <TableCell className={styles.nowrap}>
                    <DateTime iso={s.createdAt} />
                  </TableCell>
                  <TableCell>
                    <TwoLines
                      first={s.helper.name}
                      second={s.helper.upn}
                      action={
                        view.helperId ? null : (
                          <NarrowTo
                            label={t('admin.reports.sessions.filterByHelper', { name: s.helper.name })}
                            onClick={() => {
                              remember(s.helper.id, s.helper.name);
                              change({ helperId: s.helper.id });
                            }}
                          />
                        )
                      }
                    />
                  </TableCell>
                  <TableCell>
                    {s.sharer ? (
                      <TwoLines
                        first={s.sharer.name}
                        second={s.sharer.upn}
                        action={
                          view.sharerId ? null : (
                            <NarrowTo
                              label={t('admin.reports.sessions.filterBySharer', { name: s.sharer.name })}
                              onClick={() => {
                                if (!s.sharer) return;
                                remember(s.sharer.id, s.sharer.name);
                                change({ sharerId: s.sharer.id });
                              }}
                            />
                          )
                        }
                      />
                    ) : (
                      <Caption1>{t('admin.reports.sessions.noSharer')}</Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    {s.device ? (
                      <TwoLines
                        first={s.device.name}
                        action={
                          view.deviceId ? null : (
                            <NarrowTo
                              label={t('admin.reports.sessions.filterByDevice', { name: s.device.name })}
                              onClick={() => {
                                if (!s.device) return;
                                remember(s.device.id, s.device.name);
                                change({ deviceId: s.device.id });
                              }}
                            />
                          )
                        }
                      />
                    ) : s.sharerClient === 'web' ? (
                      <Caption1>{t('admin.reports.sessions.webSharer')}</Caption1>
                    ) : s.sharerClient === 'agent' ? (
                      <Caption1>{t('admin.reports.sessions.unenrolledAgent')}</Caption1>
                    ) : (
                      t('admin.reports.common.never')
                    )}
                  </TableCell>
                  <TableCell>{statusOf(s)}</TableCell>
                  <TableCell className={styles.nowrap}>{formatSeconds(s.durationSeconds)}</TableCell>
                  <TableCell>{t(`admin.reports.modes.${s.highestMode ?? 'none'}`)}</TableCell>
                  <TableCell>
                    <TwoLines
                      first={complianceLabel(t, s.sharerDevice)}
                      second={
                        s.sharerDevice?.failingRules.length
                          ? t('admin.reports.sessions.failingRules', {
                              rules: s.sharerDevice.failingRules.map((r) => r.message).join('; '),
                            })
                          : undefined
                      }
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
        <Pager page={view.page} total={shown.total} onPage={(page) => show({ ...view, page })} />
      </>
    );

  const chips: { what: string; id: string | null; clear: Partial<SessionsView> }[] = [
    { what: t('admin.reports.sessions.filterHelper'), id: view.helperId, clear: { helperId: null } },
    { what: t('admin.reports.sessions.filterSharer'), id: view.sharerId, clear: { sharerId: null } },
    { what: t('admin.reports.sessions.filterDevice'), id: view.deviceId, clear: { deviceId: null } },
  ];

  return (
    <Panel title={t('admin.reports.sessions.title')} width="wide" data-testid="sessions-page">
      <Body1>{t('admin.reports.sessions.description')}</Body1>
      <div className={styles.filters}>
        <Field label={t('admin.reports.sessions.search')} className={styles.search}>
          <SearchBox
            value={search}
            maxLength={100}
            placeholder={t('admin.reports.sessions.searchPlaceholder')}
            onChange={(_, data) => setSearch(data.value)}
            data-testid="sessions-search"
          />
        </Field>
        <FilterDropdown
          label={t('admin.reports.sessions.status')}
          value={view.status}
          options={statusOptions}
          onChange={(status) => change({ status })}
          testId="sessions-status"
        />
        <FilterDropdown
          label={t('admin.reports.sessions.endReason')}
          value={view.endReason}
          options={reasonOptions}
          onChange={(endReason) => change({ endReason })}
          testId="sessions-end-reason"
        />
        <DateRange from={view.from} to={view.to} inverted={inverted} onChange={(range) => change(range)} />
      </div>
      <div className={styles.bar}>
        <div className={`${styles.tags} ${styles.grow}`}>
          {chips
            .filter((c) => c.id)
            .map((c) => (
              <FilterTag key={c.what} what={c.what} name={nameOf(c.id ?? '')} onRemove={() => change(c.clear)} />
            ))}
          {filtered ? (
            <Button
              appearance="subtle"
              onClick={() => {
                setSearch('');
                show(sessionsViewFromParams(new URLSearchParams()));
              }}
            >
              {t('admin.reports.common.clearFilters')}
            </Button>
          ) : null}
        </div>
        <ExportCsvButton
          fetchCsv={() => api.exportSessionReportsCsv({ query: sessionFilters(view) })}
          baseName="remote-help-sessions"
          disabled={inverted}
          testId="sessions-export"
        />
      </div>
      {body}
    </Panel>
  );
}
