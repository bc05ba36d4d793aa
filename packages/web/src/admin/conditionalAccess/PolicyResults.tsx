/**
 * @module admin/conditionalAccess/PolicyResults
 * What one evaluation said (What if, and a sign-in log entry): the decision with what is
 * unmet, then the policies that apply with their result — Report-only ones marked, since
 * they are logged but not enforced — and the policies that do not apply with the reason.
 */
import { useTranslation } from 'react-i18next';
import {
  Badge,
  Body1,
  Caption1,
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
import type { BadgeProps } from '@fluentui/react-components';
import { CheckmarkCircleFilled, DismissCircleFilled } from '@fluentui/react-icons';
import type { CaDecision, CaPolicyResult } from '@remote-help/protocol';
import { unmetText } from './caText';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  decision: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: tokens.spacingHorizontalM,
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderInlineStartWidth: '4px',
  },
  allowed: { borderInlineStartColor: tokens.colorPaletteGreenBorderActive },
  blocked: { borderInlineStartColor: tokens.colorPaletteRedBorderActive },
  icon: { fontSize: '28px', flexShrink: 0 },
  good: { color: tokens.colorPaletteGreenForeground1 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  text: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  big: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  name: { display: 'inline-flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  muted: { color: tokens.colorNeutralForeground3 },
});

const RESULT_COLOR: Record<CaPolicyResult['result'], BadgeProps['color']> = {
  success: 'success',
  failure: 'danger',
  notApplied: 'subtle',
};

/** See the module description; `decision` false leaves out the decision (a panel that shows it itself). */
export function PolicyResults({ result, decision = true }: { result: CaDecision; decision?: boolean }) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const applied = result.policies.filter((p) => p.result !== 'notApplied');
  const notApplied = result.policies.filter((p) => p.result === 'notApplied');
  const reportOnlyBlocks = applied.some((p) => p.state === 'reportOnly' && p.result === 'failure');
  const allowed = result.decision === 'allowed';

  const name = (p: CaPolicyResult) => (
    <span className={styles.name}>
      <bdi>{p.name}</bdi>
      {p.state === 'reportOnly' ? (
        <Badge appearance="outline" color="informative" size="small" data-testid="ca-result-report-only">
          {t('admin.conditionalAccess.results.reportOnly')}
        </Badge>
      ) : null}
    </span>
  );

  return (
    <section
      className={styles.root}
      aria-label={t('admin.conditionalAccess.whatIf.resultLabel')}
      data-testid="ca-results"
    >
      {decision ? (
        <div
          className={`${styles.decision} ${allowed ? styles.allowed : styles.blocked}`}
          data-testid="ca-decision"
          data-decision={result.decision}
          role="status"
        >
          {allowed ? (
            <CheckmarkCircleFilled className={`${styles.icon} ${styles.good}`} aria-hidden />
          ) : (
            <DismissCircleFilled className={`${styles.icon} ${styles.bad}`} aria-hidden />
          )}
          <div className={styles.text}>
            <span className={styles.big}>
              {allowed ? t('admin.conditionalAccess.whatIf.allowed') : t('admin.conditionalAccess.whatIf.blocked')}
            </span>
            <Body1>
              {allowed
                ? t('admin.conditionalAccess.whatIf.allowedBody')
                : t('admin.conditionalAccess.whatIf.blockedBody', { unmet: unmetText(t, i18n.language, result.unmet) })}
            </Body1>
            {reportOnlyBlocks ? (
              <Caption1 data-testid="ca-report-only-would-block">
                {t('admin.conditionalAccess.whatIf.reportOnlyWouldBlock')}
              </Caption1>
            ) : null}
          </div>
        </div>
      ) : null}
      {result.policies.length === 0 ? (
        <Body1 className={styles.muted}>{t('admin.conditionalAccess.whatIf.noPolicies')}</Body1>
      ) : (
        <>
          <Subtitle2>{t('admin.conditionalAccess.whatIf.applied')}</Subtitle2>
          {applied.length === 0 ? (
            <Body1 className={styles.muted}>{t('admin.conditionalAccess.whatIf.none')}</Body1>
          ) : (
            <Table size="small" aria-label={t('admin.conditionalAccess.whatIf.applied')} data-testid="ca-applied">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('admin.signIns.details.policy')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.signIns.details.result')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.signIns.details.unmet')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {applied.map((p) => (
                  <TableRow key={p.policyId} data-testid="ca-applied-row" data-policy={p.name} data-result={p.result}>
                    <TableCell>{name(p)}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={RESULT_COLOR[p.result]}>
                        {t(`admin.conditionalAccess.results.${p.result}`)}
                      </Badge>
                    </TableCell>
                    <TableCell>{unmetText(t, i18n.language, p.unmet)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Subtitle2>{t('admin.conditionalAccess.whatIf.notApplied')}</Subtitle2>
          {notApplied.length === 0 ? (
            <Body1 className={styles.muted}>{t('admin.conditionalAccess.whatIf.none')}</Body1>
          ) : (
            <Table
              size="small"
              aria-label={t('admin.conditionalAccess.whatIf.notApplied')}
              data-testid="ca-not-applied"
            >
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>{t('admin.signIns.details.policy')}</TableHeaderCell>
                  <TableHeaderCell>{t('admin.signIns.details.why')}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {notApplied.map((p) => (
                  <TableRow key={p.policyId} data-testid="ca-not-applied-row" data-policy={p.name}>
                    <TableCell>{name(p)}</TableCell>
                    <TableCell>
                      {/* The server's reason is in English (see CaPolicyResult.notAppliedBecause). */}
                      <bdi lang="en">{p.notAppliedBecause ?? '—'}</bdi>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
    </section>
  );
}
