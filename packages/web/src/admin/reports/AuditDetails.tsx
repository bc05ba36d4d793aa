/**
 * @module admin/reports/AuditDetails
 * The expanded part of an audit event: for an administrative change, its values before and
 * after, field by field with the changed ones marked; anything else recorded with it as a
 * list. Values are shown as text (objects as compact JSON), never as markup.
 */
import { useTranslation } from 'react-i18next';
import {
  Body1,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { changeRows, valueText } from './auditChange';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, paddingBlock: tokens.spacingVerticalS },
  value: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  changed: { backgroundColor: tokens.colorPaletteYellowBackground1 },
  list: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, margin: 0 },
  term: { fontWeight: tokens.fontWeightSemibold },
  detail: { marginInlineStart: 0 },
  pair: { display: 'contents' },
});

type Json = Record<string, unknown>;

/** See the module description. */
export function AuditDetails({ data }: { data: Json | null }) {
  const { t } = useTranslation();
  const styles = useStyles();
  if (!data || Object.keys(data).length === 0) return <Body1>{t('admin.reports.audit.noDetails')}</Body1>;
  const hasChange = 'before' in data || 'after' in data;
  const rest = Object.entries(data).filter(([key]) => !hasChange || (key !== 'before' && key !== 'after'));
  const none = t('admin.reports.audit.noValue');
  const show = (value: unknown) => (value === undefined || value === null ? none : valueText(value));
  return (
    <div className={styles.root} data-testid="audit-details">
      {hasChange ? (
        <Table size="small" aria-label={t('admin.reports.audit.detailsLabel')} data-testid="audit-change">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('admin.reports.audit.field')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.audit.before')}</TableHeaderCell>
              <TableHeaderCell>{t('admin.reports.audit.after')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {changeRows(data['before'], data['after']).map((row) => (
              <TableRow key={row.field} className={row.changed ? styles.changed : undefined} data-changed={row.changed}>
                <TableCell>{row.field}</TableCell>
                <TableCell className={styles.value}>{show(row.before)}</TableCell>
                <TableCell className={styles.value}>{show(row.after)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {rest.length ? (
        <div>
          <Caption1>{t('admin.reports.audit.data')}</Caption1>
          <dl className={styles.list}>
            {rest.map(([key, value]) => (
              <div key={key} className={styles.pair}>
                <dt className={styles.term}>{key}</dt>
                <dd className={`${styles.detail} ${styles.value}`}>{show(value)}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
    </div>
  );
}
