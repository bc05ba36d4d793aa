/**
 * @module admin/devices/AgentVersions
 * The agent versions across the organization's enrolled devices (`GET /api/v1/devices/agent-versions`,
 * ADR 0022): each version with how many devices run it, those below the organization's minimum
 * flagged, the minimum, whether agents update themselves, and the newest release published. Shown
 * above the device list to whoever may see every device; the list flags the same devices per row.
 */
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Caption1,
  MessageBar,
  MessageBarBody,
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
import { WarningRegular } from '@fluentui/react-icons';
import { compareAgentVersions, type AgentVersionSummary } from '@remote-help/protocol';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  facts: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, color: tokens.colorNeutralForeground2 },
  table: { maxWidth: '480px' },
  number: { fontVariantNumeric: 'tabular-nums' },
  badge: { whiteSpace: 'nowrap', flexShrink: 0 },
  note: {
    display: 'inline-flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalXXS,
    color: tokens.colorPaletteDarkOrangeForeground1,
  },
  noteIcon: { flexShrink: 0, marginBlockStart: '2px' },
});

/** Whether `version` is older than the organization's minimum (false without one). */
export function isBelowMinimum(version: string, minimum: string | null): boolean {
  return minimum !== null && compareAgentVersions(version, minimum) < 0;
}

/** The device list's mark (it wraps in a narrow column, where a badge would be cut). */
export function BelowMinimumNote() {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <Caption1 className={styles.note} data-testid="below-minimum">
      <WarningRegular aria-hidden className={styles.noteIcon} />
      {t('admin.devices.belowMinimum')}
    </Caption1>
  );
}

export function BelowMinimumBadge() {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <Badge appearance="tint" color="warning" data-testid="below-minimum" className={styles.badge}>
      {t('admin.devices.belowMinimum')}
    </Badge>
  );
}

export function AgentVersions({ summary }: { summary: AgentVersionSummary }) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const count = new Intl.NumberFormat(i18n.language);
  return (
    <section className={styles.root} aria-labelledby="agent-versions-title" data-testid="agent-versions">
      <Subtitle2 as="h2" id="agent-versions-title">
        {t('admin.devices.versions.title')}
      </Subtitle2>
      <div className={styles.facts}>
        <Caption1>
          {summary.policy.minimumVersion === null ? (
            t('admin.devices.versions.noMinimum')
          ) : (
            <bdi>{t('admin.devices.versions.minimum', { version: summary.policy.minimumVersion })}</bdi>
          )}
        </Caption1>
        <Caption1>
          {t(
            summary.policy.autoUpdate ? 'admin.devices.versions.autoUpdateOn' : 'admin.devices.versions.autoUpdateOff',
          )}
        </Caption1>
        {summary.latest.map((release) => (
          <Caption1 key={release.platform}>
            <bdi>{t('admin.devices.versions.latest', { version: release.version })}</bdi>{' '}
            <bdi>({release.platform})</bdi>
          </Caption1>
        ))}
      </div>
      {summary.belowMinimum > 0 ? (
        <MessageBar intent="warning" data-testid="agent-versions-below">
          <MessageBarBody>
            {t('admin.devices.versions.below', { number: count.format(summary.belowMinimum) })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {summary.versions.length > 0 ? (
        <Table size="small" className={styles.table} aria-labelledby="agent-versions-title">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.devices.versions.version')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.devices.versions.devices')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {summary.versions.map((row) => (
              <TableRow key={row.version} data-testid="agent-version-row" data-version={row.version}>
                <TableCell>
                  <bdi>{row.version || t('admin.devices.notReported')}</bdi>{' '}
                  {row.belowMinimum ? <BelowMinimumBadge /> : null}
                </TableCell>
                <TableCell className={styles.number}>{count.format(row.devices)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </section>
  );
}
