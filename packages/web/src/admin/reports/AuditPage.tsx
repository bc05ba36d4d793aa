/**
 * @module admin/reports/AuditPage
 * Reports > Audit log (`/admin/reports/audit`, `audit.read`): who did what, newest first,
 * filtered by activity, initiator, target and dates (an initiator or target picked from a
 * row), paged by the server; each event expands to its values before → after. Export CSV
 * downloads the same filters' events; Check integrity checks the whole log's hash chain
 * (`AuditIntegrityDialog`).
 */
import { Fragment, useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  Body1,
  Button,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Tooltip,
  makeStyles,
  tokens,
  useFluent,
} from '@fluentui/react-components';
import {
  ChevronDownRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  FilterRegular,
  ShieldCheckmarkRegular,
} from '@fluentui/react-icons';
import type { AuditActorType, AuditEventList, AuditEventView, AuditTargetType } from '@remote-help/protocol';
import { AUDIT_TARGET_TYPES, AuditTargetType as TargetTypeSchema } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { AuditDetails } from './AuditDetails';
import { AuditIntegrityDialog } from './AuditIntegrityDialog';
import { actionLabel, actionOptions, targetTypeLabel } from './labels';
import {
  DateRange,
  DateTime,
  ExportCsvButton,
  FilterDropdown,
  FilterTag,
  LoadFailure,
  Pager,
  TwoLines,
  useReportStyles,
} from './ReportParts';
import type { AuditView } from './reportQuery';
import {
  PAGE_SIZE,
  auditFiltered,
  auditFilters,
  auditViewFromParams,
  paramsFromAuditView,
  periodInverted,
} from './reportQuery';

const useStyles = makeStyles({
  expand: { width: '44px' },
  details: { backgroundColor: tokens.colorNeutralBackground2 },
  code: { fontFamily: tokens.fontFamilyMonospace },
  hidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

type Load =
  | { status: 'loading'; last: AuditEventList | null }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; list: AuditEventList };

/** See the module description. */
export function AuditPage() {
  const { t } = useTranslation();
  const styles = useReportStyles();
  const own = useStyles();
  const { dir } = useFluent();
  const [params, setParams] = useSearchParams();
  const view = auditViewFromParams(params);
  const key = paramsFromAuditView(view).toString();
  const [load, setLoad] = useState<Load>({ status: 'loading', last: null });
  const [reloads, setReloads] = useState(0);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [names, setNames] = useState<Record<string, string>>({});
  const [checking, setChecking] = useState(false);
  const inverted = periodInverted(view);

  const show = useCallback((next: AuditView) => setParams(paramsFromAuditView(next), { replace: true }), [setParams]);
  const change = (patch: Partial<AuditView>) => show({ ...view, ...patch, page: 0 });

  // Another list: nothing of it is expanded yet.
  useEffect(() => setOpen(new Set()), [key]);

  useEffect(() => {
    const current = auditViewFromParams(new URLSearchParams(key));
    if (periodInverted(current)) return;
    let live = true;
    setLoad((previous) => ({
      status: 'loading',
      last: previous.status === 'ready' ? previous.list : previous.status === 'loading' ? previous.last : null,
    }));
    api.listAuditEvents({ query: { ...auditFilters(current), limit: PAGE_SIZE, offset: current.page * PAGE_SIZE } }).then(
      (list) => live && setLoad({ status: 'ready', list }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [key, reloads]);

  const toggle = (id: number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const actorName = (e: AuditEventView) =>
    e.actor.type === 'system'
      ? t('admin.reports.common.system')
      : (e.actor.name ?? (e.actor.id ? t('admin.reports.common.unknownPerson', { id: e.actor.id }) : '—'));
  const targetName = (e: AuditEventView) => e.target?.name ?? e.target?.id ?? '';

  const shown = load.status === 'ready' ? load.list : load.status === 'loading' ? load.last : null;
  const filtered = auditFiltered(view);
  const actorTypes: { value: AuditActorType; text: string }[] = (['user', 'system', 'device'] as const).map((value) => ({
    value,
    text: t(`admin.reports.actorTypes.${value}`),
  }));
  const targetTypes: { value: AuditTargetType; text: string }[] = AUDIT_TARGET_TYPES.map((value) => ({
    value,
    text: targetTypeLabel(t, value),
  }));

  let body: ReactNode;
  if (inverted) body = null;
  else if (load.status === 'failed')
    body = <LoadFailure error={load.error} onRetry={() => setReloads((n) => n + 1)} testId="audit-error" />;
  else if (!shown) body = <Spinner label={t('admin.reports.common.loading')} />;
  else if (shown.total === 0)
    body = (
      <Body1 data-testid="audit-empty">
        {filtered ? t('admin.reports.audit.emptyFiltered') : t('admin.reports.audit.empty')}
      </Body1>
    );
  else
    body = (
      <>
        <div className={styles.tableWrap}>
          <Table
            className={styles.table}
            aria-label={t('admin.reports.audit.tableLabel')}
            aria-busy={load.status === 'loading'}
            data-testid="audit-table"
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={own.expand}>
                  <span className={own.hidden}>{t('admin.reports.audit.columns.details')}</span>
                </TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.audit.columns.at')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.audit.columns.actor')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.audit.columns.action')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.audit.columns.target')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.reports.audit.columns.ip')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.events.map((e) => {
                const expanded = open.has(e.id);
                const detailsId = `audit-details-${e.id}`;
                return (
                  <Fragment key={e.id}>
                    <TableRow data-testid="audit-row" data-action={e.action}>
                      <TableCell className={own.expand}>
                        <Button
                          appearance="subtle"
                          size="small"
                          icon={expanded ? <ChevronDownRegular /> : dir === 'rtl' ? <ChevronLeftRegular /> : <ChevronRightRegular />}
                          aria-expanded={expanded}
                          aria-controls={expanded ? detailsId : undefined}
                          aria-label={t(expanded ? 'admin.reports.audit.hideDetails' : 'admin.reports.audit.showDetails')}
                          onClick={() => toggle(e.id)}
                          data-testid="audit-expand"
                        />
                      </TableCell>
                      <TableCell className={styles.nowrap}>
                        <DateTime iso={e.at} seconds />
                      </TableCell>
                      <TableCell>
                        <TwoLines
                          first={actorName(e)}
                          second={e.actor.upn ?? undefined}
                          action={
                            e.actor.id && !view.actorId ? (
                              <Tooltip
                                content={t('admin.reports.audit.filterByActor', { name: actorName(e) })}
                                relationship="label"
                              >
                                <Button
                                  appearance="transparent"
                                  size="small"
                                  icon={<FilterRegular />}
                                  onClick={() => {
                                    if (!e.actor.id) return;
                                    setNames((n) => ({ ...n, [e.actor.id ?? '']: actorName(e) }));
                                    change({ actorId: e.actor.id });
                                  }}
                                />
                              </Tooltip>
                            ) : null
                          }
                        />
                      </TableCell>
                      <TableCell>{actionLabel(t, e.action)}</TableCell>
                      <TableCell>
                        {e.target ? (
                          <TwoLines
                            first={targetTypeLabel(t, e.target.type)}
                            second={targetName(e)}
                            action={
                              !view.targetId && TargetTypeSchema.safeParse(e.target.type).success ? (
                                <Tooltip
                                  content={t('admin.reports.audit.filterByTarget', { name: targetName(e) })}
                                  relationship="label"
                                >
                                  <Button
                                    appearance="transparent"
                                    size="small"
                                    icon={<FilterRegular />}
                                    onClick={() => {
                                      if (!e.target) return;
                                      setNames((n) => ({ ...n, [e.target?.id ?? '']: targetName(e) }));
                                      change({ targetId: e.target.id, targetType: e.target.type as AuditTargetType });
                                    }}
                                  />
                                </Tooltip>
                              ) : null
                            }
                          />
                        ) : (
                          t('admin.reports.common.never')
                        )}
                      </TableCell>
                      <TableCell className={own.code}>{e.ip ?? t('admin.reports.common.never')}</TableCell>
                    </TableRow>
                    {expanded ? (
                      <TableRow className={own.details} id={detailsId}>
                        <TableCell colSpan={6}>
                          <AuditDetails data={e.data} />
                        </TableCell>
                      </TableRow>
                    ) : null}
                  </Fragment>
                );
              })}
            </TableBody>
          </Table>
        </div>
        <Pager page={view.page} total={shown.total} onPage={(page) => show({ ...view, page })} />
      </>
    );

  const chips: { what: string; id: string | null; clear: Partial<AuditView> }[] = [
    { what: t('admin.reports.audit.filterActor'), id: view.actorId, clear: { actorId: null } },
    { what: t('admin.reports.audit.filterTarget'), id: view.targetId, clear: { targetId: null } },
  ];

  return (
    <Panel title={t('admin.reports.audit.title')} width="wide" data-testid="audit-page">
      <Body1>{t('admin.reports.audit.description')}</Body1>
      <div className={styles.filters}>
        <FilterDropdown
          label={t('admin.reports.audit.action')}
          value={view.action}
          options={actionOptions(t)}
          onChange={(action) => change({ action })}
          testId="audit-action"
        />
        <FilterDropdown
          label={t('admin.reports.audit.actorType')}
          value={view.actorType}
          options={actorTypes}
          onChange={(actorType) => change({ actorType })}
          testId="audit-actor-type"
        />
        <FilterDropdown
          label={t('admin.reports.audit.targetType')}
          value={view.targetType}
          options={targetTypes}
          onChange={(targetType) => change({ targetType })}
          testId="audit-target-type"
        />
        <DateRange from={view.from} to={view.to} inverted={inverted} onChange={(range) => change(range)} />
      </div>
      <div className={styles.bar}>
        <div className={`${styles.tags} ${styles.grow}`}>
          {chips
            .filter((c) => c.id)
            .map((c) => (
              <FilterTag key={c.what} what={c.what} name={names[c.id ?? ''] ?? c.id ?? ''} onRemove={() => change(c.clear)} />
            ))}
          {filtered ? (
            <Button appearance="subtle" onClick={() => show(auditViewFromParams(new URLSearchParams()))}>
              {t('admin.reports.common.clearFilters')}
            </Button>
          ) : null}
        </div>
        <ExportCsvButton
          fetchCsv={() => api.exportAuditCsv({ query: auditFilters(view) })}
          baseName="audit-log"
          disabled={inverted}
          testId="audit-export"
        />
        <Button icon={<ShieldCheckmarkRegular />} onClick={() => setChecking(true)} data-testid="audit-integrity">
          {t('admin.reports.audit.integrity.open')}
        </Button>
      </div>
      {body}
      <AuditIntegrityDialog
        open={checking}
        onClose={() => {
          setChecking(false);
          // The check is audited: show its record.
          setReloads((n) => n + 1);
        }}
      />
    </Panel>
  );
}
