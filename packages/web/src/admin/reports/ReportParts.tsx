/**
 * @module admin/reports/ReportParts
 * What the three reports pages share: dates and durations in the reader's language, a
 * person with their UPN, a filter drop-down, the date range, the pager, the load failure
 * with Retry, a removable "filtered by" tag, and the CSV export button with its progress.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Body1,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
  makeStyles,
  tokens,
  useFluent,
} from '@fluentui/react-components';
import {
  ArrowDownloadRegular,
  ChevronLeftRegular,
  ChevronRightRegular,
  DismissRegular,
} from '@fluentui/react-icons';
import type { RawResult } from '@remote-help/protocol';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { saveFile } from './csvDownload';
import { PAGE_SIZE, csvFileName } from './reportQuery';

export const useReportStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'flex-end' },
  search: { minWidth: '240px', flexGrow: 1, maxWidth: '380px' },
  filter: { minWidth: '170px' },
  date: { width: '160px' },
  bar: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalM },
  grow: { flexGrow: 1 },
  tableWrap: { overflowX: 'auto' },
  /** Columns as wide as their content needs (Fluent's tables share the width out evenly). */
  table: { tableLayout: 'auto', minWidth: '720px' },
  badges: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXS },
  line: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXXS },
  nowrap: { whiteSpace: 'nowrap' },
  secondary: { color: tokens.colorNeutralForeground3, display: 'block' },
  person: { display: 'flex', flexDirection: 'column', minWidth: 0, overflowWrap: 'break-word' },
  pager: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: tokens.spacingHorizontalS },
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

/** A date and time in the reader's language (UTC ISO text in `dateTime`), or a dash. */
export function DateTime({ iso, seconds = false }: { iso: string | null; seconds?: boolean }) {
  const { t, i18n } = useTranslation();
  if (!iso) return <>{t('admin.reports.common.never')}</>;
  const format = new Intl.DateTimeFormat(i18n.language, {
    dateStyle: 'medium',
    timeStyle: seconds ? 'medium' : 'short',
  });
  return <time dateTime={iso}>{format.format(new Date(iso))}</time>;
}

/** `1:05:09`, `4:07` or a dash. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** A name above a smaller second line (UPN, device id…); `action` is an optional button after the name. */
export function TwoLines({ first, second, action }: { first: ReactNode; second?: ReactNode; action?: ReactNode }) {
  const styles = useReportStyles();
  return (
    <span className={styles.person}>
      <span className={styles.line}>
        {first}
        {action}
      </span>
      {second ? <Caption1 className={styles.secondary}>{second}</Caption1> : null}
    </span>
  );
}

/** A drop-down filter: "All" (null) or one of `options`. */
export function FilterDropdown<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T | null;
  options: readonly { value: T; text: string }[];
  onChange: (value: T | null) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const styles = useReportStyles();
  const all = '__all__';
  const allText = t('admin.reports.common.all');
  const text = value ? (options.find((o) => o.value === value)?.text ?? '') : allText;
  return (
    <Field label={label} className={styles.filter}>
      <Dropdown
        value={text}
        selectedOptions={[value ?? all]}
        onOptionSelect={(_, data) => onChange(data.optionValue === all ? null : (data.optionValue as T))}
        data-testid={testId}
      >
        <Option value={all}>{allText}</Option>
        {options.map((o) => (
          <Option key={o.value} value={o.value}>
            {o.text}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** From / To as calendar days; says so when To is before From. */
export function DateRange({
  from,
  to,
  inverted,
  onChange,
}: {
  from: string;
  to: string;
  inverted: boolean;
  onChange: (range: { from: string; to: string }) => void;
}) {
  const { t } = useTranslation();
  const styles = useReportStyles();
  return (
    <>
      <Field label={t('admin.reports.common.from')} className={styles.date}>
        <Input type="date" value={from} onChange={(_, d) => onChange({ from: d.value, to })} data-testid="filter-from" />
      </Field>
      <Field
        label={t('admin.reports.common.to')}
        className={styles.date}
        validationState={inverted ? 'error' : 'none'}
        validationMessage={inverted ? t('admin.reports.common.datesOrder') : undefined}
      >
        <Input type="date" value={to} onChange={(_, d) => onChange({ from, to: d.value })} data-testid="filter-to" />
      </Field>
    </>
  );
}

/** "1–50 of 120", and Previous / Next. */
export function Pager({ page, total, onPage }: { page: number; total: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  const styles = useReportStyles();
  const { dir } = useFluent();
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : page * PAGE_SIZE + 1;
  const last = Math.min(total, (page + 1) * PAGE_SIZE);
  // In right-to-left the "back" chevron points the other way.
  const [back, forward] = dir === 'rtl' ? [ChevronRightRegular, ChevronLeftRegular] : [ChevronLeftRegular, ChevronRightRegular];
  const Back = back;
  const Forward = forward;
  return (
    <div className={styles.pager} data-testid="pager">
      <Body1 aria-live="polite">{t('admin.reports.common.summary', { first, last, total })}</Body1>
      <Button
        appearance="subtle"
        icon={<Back />}
        aria-label={t('admin.reports.common.previous')}
        disabled={page === 0}
        onClick={() => onPage(page - 1)}
      />
      <Body1>{t('admin.reports.common.page', { page: Math.min(page + 1, pages), pages })}</Body1>
      <Button
        appearance="subtle"
        icon={<Forward />}
        aria-label={t('admin.reports.common.next')}
        disabled={page + 1 >= pages}
        onClick={() => onPage(page + 1)}
      />
    </div>
  );
}

/** A failed load, in words, with Retry. */
export function LoadFailure({ error, onRetry, testId }: { error: unknown; onRetry: () => void; testId: string }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent="error" data-testid={testId}>
      <MessageBarBody>{errorText(t, error)}</MessageBarBody>
      <MessageBarActions>
        <Button onClick={onRetry}>{t('admin.reports.common.retry')}</Button>
      </MessageBarActions>
    </MessageBar>
  );
}

/** "Filtered by helper: Daniel Okafor" as a button that removes that filter. */
export function FilterTag({ what, name, onRemove }: { what: string; name: string; onRemove: () => void }) {
  const { t } = useTranslation();
  const text = t('admin.reports.common.filteredBy', { what, name });
  return (
    <Button
      appearance="outline"
      shape="circular"
      size="small"
      icon={<DismissRegular />}
      iconPosition="after"
      title={t('admin.reports.common.removeFilter')}
      aria-label={`${text}. ${t('admin.reports.common.removeFilter')}`}
      onClick={onRemove}
      data-testid="filter-tag"
    >
      {text}
    </Button>
  );
}

/** The Export CSV button: fetches the export with the page's filters and saves it; progress and failure shown. */
export function ExportCsvButton({
  fetchCsv,
  baseName,
  disabled,
  testId,
}: {
  fetchCsv: () => Promise<RawResult>;
  baseName: string;
  disabled?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const action = useAsyncAction();
  const [saved, setSaved] = useState<string | null>(null);
  const run = () =>
    action.run(async () => {
      setSaved(null);
      const file = await fetchCsv();
      const name = csvFileName(baseName, new Date());
      saveFile(file, name);
      setSaved(name);
    });
  return (
    <>
      <Button icon={<ArrowDownloadRegular />} onClick={run} disabled={disabled || action.busy} data-testid={testId}>
        {action.busy ? t('admin.reports.common.exporting') : t('admin.reports.common.exportCsv')}
      </Button>
      {action.error ? (
        <MessageBar intent="error" data-testid={`${testId}-error`}>
          <MessageBarBody>{errorText(t, action.error)}</MessageBarBody>
        </MessageBar>
      ) : null}
      {saved ? (
        <Caption1 role="status" data-testid={`${testId}-done`}>
          {t('admin.reports.common.exported', { file: saved })}
        </Caption1>
      ) : null}
    </>
  );
}
