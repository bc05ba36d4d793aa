/**
 * @module admin/devices/DeviceSessions
 * The device page's Remote Help sessions: the newest sessions whose sharer joined from this
 * device or that were offered to it (`listSessionReports({ query: { deviceId } })`, which
 * needs `reports.read`). Without that permission the section says so instead of a table.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { SessionReport } from '@remote-help/protocol';
import type { TFunction } from 'i18next';
import { api } from '../../common/api';
import { errorText } from '../../common/errorText';
import { useMe } from '../../common/meContext';
import { AppLink, DateText } from './DeviceBadges';

/** Sessions shown on the device page; the rest are in Reports > Remote Help sessions. */
const SHOWN = 10;

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  tableWrap: { overflowX: 'auto' },
  nowrap: { whiteSpace: 'nowrap' },
  secondary: { color: tokens.colorNeutralForeground3 },
});

type Load =
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; sessions: SessionReport[]; total: number };

/** "1 h 5 min", "3 min 20 s", "45 s". */
function durationText(t: TFunction, seconds: number | null): string {
  if (seconds === null) return t('admin.devices.sessions.noDuration');
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return t('admin.devices.sessions.hours', { h, m });
  if (m > 0) return t('admin.devices.sessions.minutes', { m, s });
  return t('admin.devices.sessions.seconds', { s });
}

/** What became of the session, in words. */
function outcomeText(t: TFunction, session: SessionReport): string {
  if (session.status === 'live') return t('admin.devices.sessions.live');
  return session.endReason
    ? t(`admin.devices.sessions.endReason.${session.endReason}`)
    : t('admin.devices.sessions.ended');
}

/** See the module description. */
export function DeviceSessions({ deviceId, refreshKey }: { deviceId: string; refreshKey: number }) {
  const { t } = useTranslation();
  const styles = useStyles();
  const { state: meState } = useMe();
  const mayRead = meState.status === 'signedIn' && meState.me.permissions.includes('reports.read');
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    if (!mayRead) return;
    let live = true;
    setLoad({ status: 'loading' });
    api.listSessionReports({ query: { deviceId, limit: SHOWN } }).then(
      (page) => live && setLoad({ status: 'ready', sessions: page.sessions, total: page.total }),
      (error: unknown) => live && setLoad({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [deviceId, mayRead, reloads, refreshKey]);

  let body;
  if (!mayRead) {
    body = (
      <MessageBar intent="info" data-testid="device-sessions-denied">
        <MessageBarBody>{t('admin.devices.sessions.denied')}</MessageBarBody>
      </MessageBar>
    );
  } else if (load.status === 'loading') {
    body = <Spinner size="small" label={t('admin.devices.sessions.loading')} />;
  } else if (load.status === 'failed') {
    body = (
      <MessageBar intent="error">
        <MessageBarBody>{errorText(t, load.error)}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={() => setReloads((n) => n + 1)}>{t('admin.devices.retry')}</Button>
        </MessageBarActions>
      </MessageBar>
    );
  } else if (load.sessions.length === 0) {
    body = <Body1 data-testid="device-sessions-empty">{t('admin.devices.sessions.empty')}</Body1>;
  } else {
    body = (
      <>
        <div className={styles.tableWrap}>
          <Table size="small" aria-label={t('admin.devices.sessions.title')} data-testid="device-sessions">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('admin.devices.sessions.started')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.devices.sessions.helper')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.devices.sessions.sharer')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.devices.sessions.duration')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.devices.sessions.mode')}</TableHeaderCell>
                <TableHeaderCell>{t('admin.devices.sessions.outcome')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {load.sessions.map((session) => (
                <TableRow key={session.id} data-testid="device-session-row">
                  <TableCell>
                    <DateText iso={session.createdAt} />
                  </TableCell>
                  <TableCell>
                    <bdi>{session.helper.name}</bdi>
                  </TableCell>
                  <TableCell>
                    {session.sharer ? (
                      <bdi>{session.sharer.name}</bdi>
                    ) : (
                      <span className={styles.secondary}>{t('admin.devices.sessions.noSharer')}</span>
                    )}
                  </TableCell>
                  <TableCell className={styles.nowrap}>{durationText(t, session.durationSeconds)}</TableCell>
                  <TableCell>
                    {session.highestMode
                      ? t(`admin.devices.sessions.modes.${session.highestMode}`)
                      : t('admin.devices.sessions.noMode')}
                  </TableCell>
                  <TableCell>
                    {session.status === 'live' ? (
                      <Badge appearance="tint" color="success">
                        {outcomeText(t, session)}
                      </Badge>
                    ) : (
                      outcomeText(t, session)
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
        {load.total > load.sessions.length ? (
          <Body1>
            {t('admin.devices.sessions.more', { count: load.total - load.sessions.length })}{' '}
            <AppLink to={`/admin/reports/sessions?deviceId=${encodeURIComponent(deviceId)}`}>
              {t('admin.devices.sessions.seeAll')}
            </AppLink>
          </Body1>
        ) : null}
      </>
    );
  }

  return (
    <section className={styles.section} aria-labelledby="device-sessions-title">
      <Subtitle2 as="h2" id="device-sessions-title">
        {t('admin.devices.sessions.title')}
      </Subtitle2>
      {body}
    </section>
  );
}
