/**
 * @module admin/reports/AuditIntegrityDialog
 * Reports > Audit log > Check integrity (ADR 0035): the server reads the organization's whole
 * chain and says whether it holds, and where it breaks and why when it does not. Heads noted
 * earlier (outside this service) can be pasted to compare; the newest head is shown with a Copy
 * button so that it can be noted for the next check. The check is itself audited.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { AuditIntegrity } from '@remote-help/protocol';
import { AUDIT_ANCHORS_MAX } from '@remote-help/protocol';
import { api } from '../../common/api';
import { BusySpinner } from '../../common/BusySpinner';
import { errorText } from '../../common/errorText';
import { useAsyncAction } from '../../common/useAsyncAction';
import { CopyButton } from '../common/CopyButton';
import { headText, parseNotedHeads } from './notedHeads';

const useStyles = makeStyles({
  surface: { maxWidth: '720px' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  head: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) max-content',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  label: { color: tokens.colorNeutralForeground2, gridColumn: '1 / -1' },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all', userSelect: 'all' },
  notes: { fontFamily: tokens.fontFamilyMonospace },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL },
});

export interface AuditIntegrityDialogProps {
  open: boolean;
  onClose: () => void;
}

/** See the module description. */
export function AuditIntegrityDialog({ open, onClose }: AuditIntegrityDialogProps) {
  const { t, i18n } = useTranslation();
  const styles = useStyles();
  const [notes, setNotes] = useState('');
  const [result, setResult] = useState<AuditIntegrity | null>(null);
  const check = useAsyncAction();
  const parsed = parseNotedHeads(notes);
  const number = (n: number) => n.toLocaleString(i18n.language);
  const notesError = parsed.ok
    ? undefined
    : 'line' in parsed
      ? t('admin.reports.audit.integrity.notedInvalid', { line: parsed.line })
      : t('admin.reports.audit.integrity.notedTooMany', { max: AUDIT_ANCHORS_MAX });

  const close = () => {
    if (check.busy) return;
    onClose();
    setResult(null);
    check.clearError();
  };

  const breakText = (b: NonNullable<AuditIntegrity['break']>) =>
    b.seq === null
      ? t('admin.reports.audit.integrity.unchained')
      : `${t('admin.reports.audit.integrity.brokenAt', { seq: number(b.seq) })} ${t(`admin.reports.audit.integrity.reasons.${b.reason}`)}`;

  return (
    <Dialog open={open} onOpenChange={(_, d) => (d.open ? undefined : close())}>
      <DialogSurface className={styles.surface} data-testid="audit-integrity-dialog">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!parsed.ok) return;
            const anchors = parsed.heads;
            check.run(async () => {
              setResult(null);
              setResult(await api.verifyAudit({ body: { anchors } }));
            });
          }}
        >
          <DialogBody>
            <DialogTitle>{t('admin.reports.audit.integrity.title')}</DialogTitle>
            <DialogContent className={styles.content}>
              <Body1>{t('admin.reports.audit.integrity.intro')}</Body1>
              <Field
                label={t('admin.reports.audit.integrity.notedLabel')}
                hint={t('admin.reports.audit.integrity.notedHint')}
                validationMessage={notesError}
                validationState={notesError ? 'error' : 'none'}
              >
                <Textarea
                  className={styles.notes}
                  value={notes}
                  onChange={(_, d) => setNotes(d.value)}
                  rows={3}
                  dir="ltr"
                  spellCheck={false}
                  placeholder="1234 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                  data-testid="audit-integrity-noted"
                />
              </Field>
              {check.error ? (
                <MessageBar intent="error" data-testid="audit-integrity-error">
                  <MessageBarBody>{errorText(t, check.error)}</MessageBarBody>
                </MessageBar>
              ) : null}
              {result ? (
                <>
                  <MessageBar
                    intent={result.intact ? 'success' : 'error'}
                    data-testid="audit-integrity-result"
                    data-intact={result.intact}
                  >
                    <MessageBarBody>
                      <MessageBarTitle>
                        {result.intact
                          ? t('admin.reports.audit.integrity.intact')
                          : t('admin.reports.audit.integrity.notIntact')}
                      </MessageBarTitle>
                      {result.first && result.head
                        ? t('admin.reports.audit.integrity.checked', {
                            count: number(result.events),
                            first: number(result.first.seq),
                            head: number(result.head.seq),
                          })
                        : t('admin.reports.audit.integrity.none')}
                      {result.break ? (
                        <>
                          <br />
                          <span data-testid="audit-integrity-break">{breakText(result.break)}</span>
                        </>
                      ) : null}
                    </MessageBarBody>
                  </MessageBar>
                  {result.anchors.length > 0 ? (
                    <div>
                      <Body1>{t('admin.reports.audit.integrity.comparedTitle')}</Body1>
                      <ul className={styles.list} data-testid="audit-integrity-anchors">
                        {result.anchors.map((a, i) => (
                          <li key={`${a.seq}-${i}`} data-result={a.result}>
                            {t(`admin.reports.audit.integrity.compared.${a.result}`, { seq: number(a.seq) })}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ) : null}
                  {result.head ? (
                    <div className={styles.head}>
                      <Caption1 className={styles.label}>
                        {t('admin.reports.audit.integrity.headLabel', { seq: number(result.head.seq) })}
                      </Caption1>
                      {/* Number and hash read left to right in every language (the `dir` attribute: Griffel flips a CSS direction). */}
                      <span className={styles.code} dir="ltr" data-testid="audit-integrity-head">
                        {headText(result.head)}
                      </span>
                      <CopyButton
                        text={headText(result.head)}
                        label={t('admin.domains.copy')}
                        testId="audit-integrity-copy"
                      />
                      <Caption1 className={styles.label}>{t('admin.reports.audit.integrity.headHint')}</Caption1>
                    </div>
                  ) : null}
                </>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                type="submit"
                disabled={check.busy || !parsed.ok}
                icon={check.busy ? <BusySpinner /> : undefined}
                data-testid="audit-integrity-check"
              >
                {check.busy ? t('admin.reports.audit.integrity.checking') : t('admin.reports.audit.integrity.check')}
              </Button>
              <Button appearance="secondary" onClick={close} disabled={check.busy}>
                {t('admin.reports.audit.integrity.close')}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
