/**
 * @module admin/reports/SignInsPage
 * Reports > Sign-in log (`/admin/reports/sign-ins`, `reports.read`): every sign-in and session
 * action conditional access evaluated, newest first, paged by the server like the other
 * reports — time in the reader's language, person, app, client app, address, device state,
 * decision and what was unmet; a search and a decision filter kept in the address. Details
 * opens a side panel with the whole entry and each policy's result (Report-only marked).
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import {
  Badge,
  Body1,
  Button,
  DrawerBody,
  DrawerHeader,
  DrawerHeaderTitle,
  Field,
  OverlayDrawer,
  SearchBox,
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
import { DismissRegular, PanelLeftExpandRegular, PanelRightExpandRegular } from '@fluentui/react-icons';
import type { SignInLogEntry, SignInLogList } from '@remote-help/protocol';
import { api } from '../../common/api';
import { Panel } from '../../common/Panel';
import { PolicyResults } from '../conditionalAccess/PolicyResults';
import { unmetText } from '../conditionalAccess/caText';
import { DateTime, FilterDropdown, LoadFailure, Pager, TwoLines, useReportStyles } from './ReportParts';
import type { SignInsView } from './signInQuery';
import { paramsFromSignInsView, signInQuery, signInsFiltered, signInsViewFromParams } from './signInQuery';
import { useAddressSearch } from '../../common/typingPause';

const useStyles = makeStyles({
  code: { fontFamily: tokens.fontFamilyMonospace },
  drawer: { width: '560px', maxWidth: '100vw' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    marginBlockEnd: tokens.spacingVerticalL,
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  detail: { marginInlineStart: 0, overflowWrap: 'anywhere' },
  pair: { display: 'contents' },
});

type Load =
  | { status: 'loading'; last: SignInLogList | null }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; list: SignInLogList };

/** The decision as a badge: Allowed green, Blocked red. */
function DecisionBadge({ decision }: { decision: SignInLogEntry['decision'] }) {
  const { t } = useTranslation();
  return (
    <Badge appearance="tint" color={decision === 'allowed' ? 'success' : 'danger'} data-decision={decision}>
      {t(`admin.signIns.decisions.${decision}`)}
    </Badge>
  );
}

/** See the module description. */
export function SignInsPage() {
  const { t, i18n } = useTranslation();
  const styles = useReportStyles();
  const own = useStyles();
  const [params, setParams] = useSearchParams();
  const view = signInsViewFromParams(params);
  const key = paramsFromSignInsView(view).toString();
  const [load, setLoad] = useState<Load>({ status: 'loading', last: null });
  const [reloads, setReloads] = useState(0);
  const [open, setOpen] = useState<SignInLogEntry | null>(null);
  // The panel opens at the end side: the right, or the left in right-to-left languages.
  const { dir } = useFluent();

  const show = useCallback((next: SignInsView) => setParams(paramsFromSignInsView(next), { replace: true }), [setParams]);

  // Typing searches after a short pause.
  const [search, setSearch] = useAddressSearch(
    view.q,
    useCallback((text) => show({ ...signInsViewFromParams(new URLSearchParams(key)), q: text, page: 0 }), [key, show]),
  );

  useEffect(() => {
    const current = signInsViewFromParams(new URLSearchParams(key));
    let live = true;
    setLoad((previous) => ({
      status: 'loading',
      last: previous.status === 'ready' ? previous.list : previous.status === 'loading' ? previous.last : null,
    }));
    api.listSignIns({ query: signInQuery(current) }).then(
      (list) => live && setLoad({ status: 'ready', list }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [key, reloads]);

  const shown = load.status === 'ready' ? load.list : load.status === 'loading' ? load.last : null;
  const filtered = signInsFiltered(view);
  const userName = (e: SignInLogEntry) => e.userName ?? e.email ?? t('admin.signIns.unknownUser');
  const decisions = (['allowed', 'blocked'] as const).map((value) => ({
    value,
    text: t(`admin.signIns.decisions.${value}`),
  }));

  let body: ReactNode;
  if (load.status === 'failed')
    body = <LoadFailure error={load.error} onRetry={() => setReloads((n) => n + 1)} testId="sign-ins-error" />;
  else if (!shown) body = <Spinner label={t('admin.reports.common.loading')} />;
  else if (shown.total === 0)
    body = (
      <Body1 data-testid="sign-ins-empty">
        {filtered ? t('admin.signIns.emptyFiltered') : t('admin.signIns.empty')}
      </Body1>
    );
  else
    body = (
      <>
        <div className={styles.tableWrap}>
          <Table
            className={styles.table}
            aria-label={t('admin.signIns.tableLabel')}
            aria-busy={load.status === 'loading'}
            data-testid="sign-ins-table"
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.signIns.columns.at')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.user')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.app')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.clientApp')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.ip')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.deviceState')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.decision')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.unmet')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.signIns.columns.details')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.entries.map((e) => (
                <TableRow key={e.id} data-testid="sign-in-row" data-decision={e.decision} data-app={e.app}>
                  <TableCell className={styles.nowrap}>
                    <DateTime iso={e.at} seconds />
                  </TableCell>
                  <TableCell>
                    <TwoLines first={<bdi>{userName(e)}</bdi>} second={e.email && e.userName ? <bdi>{e.email}</bdi> : undefined} />
                  </TableCell>
                  <TableCell>
                    <TwoLines
                      first={t(`admin.conditionalAccess.apps.${e.app}`)}
                      second={t(`admin.signIns.events.${e.event}`)}
                    />
                  </TableCell>
                  <TableCell>
                    <TwoLines
                      first={t(`admin.conditionalAccess.clientApps.${e.clientApp}`)}
                      second={t(`admin.conditionalAccess.platforms.${e.platform}`)}
                    />
                  </TableCell>
                  <TableCell className={own.code}>
                    <bdi>{e.ip ?? t('admin.reports.common.never')}</bdi>
                  </TableCell>
                  <TableCell>{t(`admin.conditionalAccess.deviceStates.${e.deviceState}`)}</TableCell>
                  <TableCell>
                    <DecisionBadge decision={e.decision} />
                  </TableCell>
                  <TableCell data-testid="sign-in-unmet">{unmetText(t, i18n.language, e.unmet)}</TableCell>
                  <TableCell>
                    <Tooltip content={t('admin.signIns.showDetails')} relationship="description">
                      <Button
                        appearance="subtle"
                        size="small"
                        icon={dir === 'rtl' ? <PanelLeftExpandRegular /> : <PanelRightExpandRegular />}
                        aria-label={t('admin.signIns.showDetailsFor', {
                          time: new Date(e.at).toLocaleString(i18n.language),
                        })}
                        onClick={() => setOpen(e)}
                        data-testid="sign-in-details-button"
                      />
                    </Tooltip>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
        <Pager page={view.page} total={shown.total} onPage={(page) => show({ ...view, page })} />
      </>
    );

  return (
    <Panel title={t('admin.signIns.title')} width="wide" data-testid="sign-ins-page">
      <Body1>{t('admin.signIns.description')}</Body1>
      <div className={styles.filters}>
        <Field label={t('admin.signIns.search')} className={styles.search}>
          <SearchBox
            value={search}
            maxLength={200}
            placeholder={t('admin.signIns.searchPlaceholder')}
            onChange={(_, data) => setSearch(data.value)}
            data-testid="sign-ins-search"
          />
        </Field>
        <FilterDropdown
          label={t('admin.signIns.decision')}
          value={view.decision}
          options={decisions}
          onChange={(decision) => show({ ...view, decision, page: 0 })}
          testId="sign-ins-decision"
        />
        {filtered ? (
          <Button
            appearance="subtle"
            onClick={() => {
              setSearch('');
              show(signInsViewFromParams(new URLSearchParams()));
            }}
          >
            {t('admin.reports.common.clearFilters')}
          </Button>
        ) : null}
      </div>
      {body}
      <OverlayDrawer
        position="end"
        className={own.drawer}
        open={open !== null}
        onOpenChange={(_, d) => (d.open ? undefined : setOpen(null))}
        data-testid="sign-in-details"
      >
        <DrawerHeader>
          <DrawerHeaderTitle
            action={
              <Button
                appearance="subtle"
                aria-label={t('admin.signIns.details.close')}
                icon={<DismissRegular />}
                onClick={() => setOpen(null)}
              />
            }
          >
            {t('admin.signIns.details.title')}
          </DrawerHeaderTitle>
        </DrawerHeader>
        <DrawerBody>{open ? <EntryDetails entry={open} /> : null}</DrawerBody>
      </OverlayDrawer>
    </Panel>
  );
}

/** One entry in full: what was asked, from where, the decision, and each policy's result. */
function EntryDetails({ entry: e }: { entry: SignInLogEntry }) {
  const { t, i18n } = useTranslation();
  const own = useStyles();
  const facts: [string, ReactNode][] = [
    [t('admin.reports.audit.columns.at'), <DateTime key="at" iso={e.at} seconds />],
    [t('admin.signIns.details.event'), t(`admin.signIns.events.${e.event}`)],
    [
      t('admin.signIns.details.user'),
      <bdi key="user">{[e.userName, e.email].filter(Boolean).join(' · ') || t('admin.signIns.unknownUser')}</bdi>,
    ],
    [t('admin.signIns.details.app'), t(`admin.conditionalAccess.apps.${e.app}`)],
    [t('admin.signIns.details.clientApp'), t(`admin.conditionalAccess.clientApps.${e.clientApp}`)],
    [t('admin.signIns.details.platform'), t(`admin.conditionalAccess.platforms.${e.platform}`)],
    [
      t('admin.signIns.details.ip'),
      <bdi key="ip" className={own.code}>
        {e.ip ?? t('admin.reports.common.never')}
      </bdi>,
    ],
    [t('admin.signIns.details.deviceState'), t(`admin.conditionalAccess.deviceStates.${e.deviceState}`)],
    [
      t('admin.signIns.details.device'),
      <span key="device" className={own.code}>
        {e.deviceId ?? t('admin.reports.common.never')}
      </span>,
    ],
    [
      t('admin.signIns.details.amr'),
      <span key="amr" className={own.code}>
        {e.amr.length ? e.amr.join(', ') : t('admin.reports.common.never')}
      </span>,
    ],
    [t('admin.signIns.details.decision'), <DecisionBadge key="decision" decision={e.decision} />],
    [t('admin.signIns.details.unmet'), unmetText(t, i18n.language, e.unmet)],
  ];
  return (
    <>
      <dl className={own.facts} data-testid="sign-in-facts">
        {facts.map(([term, value]) => (
          <div key={term} className={own.pair}>
            <dt className={own.term}>{term}</dt>
            <dd className={own.detail}>{value}</dd>
          </div>
        ))}
      </dl>
      <PolicyResults result={e} decision={false} />
    </>
  );
}
