/**
 * @module admin/reports/MonitorPage
 * Reports > Monitor (`/admin/reports/monitor`): the organization's Remote Help sessions that
 * have not ended, who is connected right now, and — for `settings.manage` — End session,
 * confirmed first. The server ends it as "ended by an administrator" and tells both sides at
 * once; the page says it was done and loads the list again.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, DismissCircleRegular } from '@fluentui/react-icons';
import type { LiveSessionList, LiveSessionReport } from '@remote-help/protocol';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { Panel } from '../../common/Panel';
import { useAsyncAction } from '../../common/useAsyncAction';
import { useNow } from '../../common/useNow';
import { DateTime, LoadFailure, TwoLines, formatSeconds, useReportStyles } from './ReportParts';
import { BusySpinner } from '../../common/BusySpinner';

type Load =
  | { status: 'loading'; last: LiveSessionList | null }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; list: LiveSessionList; at: number };

function Connected({ online, on, off }: { online: boolean; on: string; off: string }) {
  const styles = useReportStyles();
  return (
    <Badge appearance="tint" color={online ? 'success' : 'informative'} data-online={online} className={styles.nowrap}>
      {online ? on : off}
    </Badge>
  );
}

/** See the module description. */
export function MonitorPage() {
  const { t } = useTranslation();
  const styles = useReportStyles();
  const { state: me } = useMe();
  const mayEnd = me.status === 'signedIn' && me.me.permissions.includes('settings.manage');
  const [load, setLoad] = useState<Load>({ status: 'loading', last: null });
  const [reloads, setReloads] = useState(0);
  const [confirm, setConfirm] = useState<LiveSessionReport | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const ending = useAsyncAction();
  const now = useNow(1000, load.status === 'ready' && load.list.sessions.length > 0);

  useEffect(() => {
    let live = true;
    setLoad((previous) => ({
      status: 'loading',
      last: previous.status === 'ready' ? previous.list : previous.status === 'loading' ? previous.last : null,
    }));
    api.listLiveSessions().then(
      (list) => live && setLoad({ status: 'ready', list, at: Date.now() }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [reloads]);
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  const end = (session: LiveSessionReport) =>
    ending.run(async () => {
      try {
        await api.endSessionAsAdmin({ params: { id: session.id } });
      } catch (error) {
        // Ended or gone meanwhile: the list shows what is true now, the dialog says why.
        reload();
        throw error;
      }
      setConfirm(null);
      setDone(t('admin.reports.monitor.endDone', { helper: session.helper.name }));
      reload();
    });

  const shown = load.status === 'ready' ? load.list : load.status === 'loading' ? load.last : null;
  const loadedAt = load.status === 'ready' ? load.at : null;

  let body: ReactNode;
  if (load.status === 'failed') body = <LoadFailure error={load.error} onRetry={reload} testId="monitor-error" />;
  else if (!shown) body = <Spinner label={t('admin.reports.common.loading')} />;
  else if (shown.sessions.length === 0)
    body = <Body1 data-testid="monitor-empty">{t('admin.reports.monitor.empty')}</Body1>;
  else
    body = (
      <div className={styles.tableWrap}>
        <Table
            className={styles.table}
          aria-label={t('admin.reports.monitor.tableLabel')}
          aria-busy={load.status === 'loading'}
          data-testid="monitor-table"
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.reports.monitor.columns.helper')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.sharer')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.device')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.state')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.started')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.duration')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.monitor.columns.connected')}</TableHeaderCell>
              {mayEnd ? <TableHeaderCell>{t('admin.reports.monitor.columns.actions')}</TableHeaderCell> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.sessions.map((s) => {
              // The server's figure at load time, ticking on while the page is open.
              const seconds =
                s.durationSeconds === null || loadedAt === null
                  ? s.durationSeconds
                  : s.durationSeconds + Math.max(0, Math.floor((now - loadedAt) / 1000));
              return (
                <TableRow key={s.id} data-testid="monitor-row" data-session-id={s.id}>
                  <TableCell>
                    <TwoLines first={s.helper.name} second={s.helper.upn} />
                  </TableCell>
                  <TableCell>
                    {s.sharer ? (
                      <TwoLines first={s.sharer.name} second={s.sharer.upn} />
                    ) : (
                      <Caption1>{t('admin.reports.monitor.waitingForSharer')}</Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    {s.device ? (
                      s.device.name
                    ) : (
                      <Caption1>
                        {s.sharerClient === 'web'
                          ? t('admin.reports.sessions.webSharer')
                          : s.sharerClient === 'agent'
                            ? t('admin.reports.sessions.unenrolledAgent')
                            : t('admin.reports.common.never')}
                      </Caption1>
                    )}
                  </TableCell>
                  <TableCell>
                    <TwoLines
                      first={t(`admin.reports.states.${s.state}`)}
                      second={s.mode ? t(`admin.reports.modes.${s.mode}`) : undefined}
                    />
                  </TableCell>
                  <TableCell>
                    <DateTime iso={s.startedAt ?? s.createdAt} />
                  </TableCell>
                  <TableCell className={styles.nowrap}>{formatSeconds(seconds)}</TableCell>
                  <TableCell>
                    <span className={styles.badges}>
                      <Connected
                        online={s.helperOnline}
                        on={t('admin.reports.monitor.helperOnline')}
                        off={t('admin.reports.monitor.helperOffline')}
                      />
                      {s.sharer ? (
                        <Connected
                          online={s.sharerOnline}
                          on={t('admin.reports.monitor.sharerOnline')}
                          off={t('admin.reports.monitor.sharerOffline')}
                        />
                      ) : null}
                    </span>
                  </TableCell>
                  {mayEnd ? (
                    <TableCell className={styles.nowrap}>
                      <Button
                        icon={<DismissCircleRegular />}
                        aria-label={t('admin.reports.monitor.endLabel', { helper: s.helper.name })}
                        onClick={() => {
                          ending.clearError();
                          setDone(null);
                          setConfirm(s);
                        }}
                        data-testid="monitor-end"
                      >
                        {t('admin.reports.monitor.end')}
                      </Button>
                    </TableCell>
                  ) : null}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
    );

  return (
    <Panel title={t('admin.reports.monitor.title')} width="wide" data-testid="monitor-page">
      <Body1>{t('admin.reports.monitor.description')}</Body1>
      {mayEnd ? null : <Caption1>{t('admin.reports.monitor.noEndPermission')}</Caption1>}
      <div className={styles.bar}>
        <Button icon={<ArrowClockwiseRegular />} onClick={reload} disabled={load.status === 'loading'} data-testid="monitor-refresh">
          {t('admin.reports.common.refresh')}
        </Button>
        {loadedAt !== null ? (
          <Caption1>
            {t('admin.reports.common.updated', {
              time: new Date(loadedAt).toLocaleTimeString(document.documentElement.lang || undefined),
            })}
          </Caption1>
        ) : null}
        {load.status === 'loading' && shown ? <Spinner size="tiny" aria-label={t('admin.reports.common.loading')} /> : null}
      </div>
      {done ? (
        <MessageBar intent="success" data-testid="monitor-done">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      ) : null}
      {shown && shown.total > shown.sessions.length ? (
        <MessageBar intent="info">
          <MessageBarBody>
            {t('admin.reports.monitor.truncated', { shown: shown.sessions.length, total: shown.total })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {body}
      <Dialog open={confirm !== null} onOpenChange={(_, data) => !data.open && !ending.busy && setConfirm(null)}>
        <DialogSurface data-testid="monitor-end-dialog">
          <DialogBody>
            <DialogTitle>{t('admin.reports.monitor.endTitle')}</DialogTitle>
            <DialogContent>
              <Body1>
                {confirm?.sharer
                  ? t('admin.reports.monitor.endBody', { helper: confirm.helper.name, sharer: confirm.sharer.name })
                  : t('admin.reports.monitor.endBodyWaiting', { helper: confirm?.helper.name ?? '' })}
              </Body1>
              {ending.error ? (
                <MessageBar intent="error" data-testid="monitor-end-error">
                  <MessageBarBody>{errorText(t, ending.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                disabled={ending.busy}
                icon={ending.busy ? <BusySpinner /> : undefined}
                onClick={() => confirm && end(confirm)}
                data-testid="monitor-end-confirm"
              >
                {t('admin.reports.monitor.endConfirm')}
              </Button>
              <Button disabled={ending.busy} onClick={() => setConfirm(null)}>
                {t('admin.reports.monitor.cancel')}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </Panel>
  );
}
