/**
 * @module CodeScreen
 * Helper, `waiting`: the security code (big, `1234 5678`), Copy, a live countdown to
 * its expiry, what to do with it, and Cancel.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Body1, Button, makeStyles, mergeClasses, Spinner, Text, tokens } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular, DismissRegular, TimerRegular } from '@fluentui/react-icons';
import { Panel } from '../common/Panel';
import { formatDuration, useNow } from '../common/useNow';

const useStyles = makeStyles({
  codeBox: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'center',
    gap: tokens.spacingHorizontalL,
    padding: tokens.spacingHorizontalXL,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorBrandBackground2,
  },
  code: {
    direction: 'ltr',
    unicodeBidi: 'isolate',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: 'clamp(32px, 10vw, 56px)',
    fontWeight: tokens.fontWeightSemibold,
    letterSpacing: '0.08em',
    color: tokens.colorNeutralForeground1,
    whiteSpace: 'nowrap',
    userSelect: 'all',
  },
  timer: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  expired: { color: tokens.colorPaletteRedForeground1 },
  waiting: { alignSelf: 'flex-start' },
});

/** Props of {@link CodeScreen}. */
export interface CodeScreenProps {
  /** The 8-digit code, or null when it is no longer known (e.g. the tab was closed). */
  code: string | null;
  codeExpiresAt: string | null;
  busy: boolean;
  onCancel: () => void;
}

type CopyState = 'idle' | 'copied' | 'failed';

/** See the module description. */
export function CodeScreen({ code, codeExpiresAt, busy, onCancel }: CodeScreenProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  const [copy, setCopy] = useState<CopyState>('idle');
  const expiresAt = codeExpiresAt ? Date.parse(codeExpiresAt) : Number.NaN;
  const now = useNow(1000, Number.isFinite(expiresAt));
  const remaining = expiresAt - now;

  const copyCode = () => {
    if (!code) return;
    navigator.clipboard.writeText(code).then(
      () => setCopy('copied'),
      () => setCopy('failed'),
    );
  };

  return (
    <Panel
      title={t('helper.code.title')}
      actions={
        <Button icon={<DismissRegular />} disabled={busy} onClick={onCancel}>
          {t('common.cancel')}
        </Button>
      }
    >
      <Body1>{t('helper.code.instructions', { url: `${window.location.origin}/share` })}</Body1>
      {code ? (
        <div className={styles.codeBox}>
          <span className={styles.code} data-testid="security-code">
            {`${code.slice(0, 4)} ${code.slice(4)}`}
          </span>
          <Button icon={copy === 'copied' ? <CheckmarkRegular /> : <CopyRegular />} onClick={copyCode}>
            {copy === 'copied' ? t('helper.code.copied') : t('helper.code.copy')}
          </Button>
        </div>
      ) : (
        <Body1>{t('helper.code.unavailable')}</Body1>
      )}
      {copy === 'failed' ? (
        <Text role="alert" className={styles.expired}>
          {t('helper.code.copyFailed')}
        </Text>
      ) : null}
      {Number.isFinite(expiresAt) ? (
        <Text className={mergeClasses(styles.timer, remaining <= 0 && styles.expired)} data-testid="code-countdown">
          <TimerRegular aria-hidden />
          {remaining > 0 ? t('helper.code.expiresIn', { time: formatDuration(remaining) }) : t('helper.code.expired')}
        </Text>
      ) : null}
      <Spinner className={styles.waiting} size="tiny" labelPosition="after" label={t('helper.code.waiting')} />
    </Panel>
  );
}
