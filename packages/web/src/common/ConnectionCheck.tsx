/**
 * @module ConnectionCheck
 * The connection check of a session (`connectionCheck` in the protocol): twelve digits both people
 * see, equal only when nobody, the server included, sits between their two ends. Shown once the
 * connection is negotiated, with an explanation behind its info button (what to compare, and what a
 * difference means). Digits always left to right, in three groups, as they are read aloud.
 */
import { useTranslation } from 'react-i18next';
import { InfoLabel, makeStyles, tokens } from '@fluentui/react-components';
import { LockClosedRegular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  root: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS },
  icon: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase400 },
  digits: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightSemibold,
    letterSpacing: '0.04em',
    whiteSpace: 'nowrap',
  },
});

/** Props of {@link ConnectionCheck}. */
export interface ConnectionCheckProps {
  /** The check, or null while the connection is not negotiated (nothing is shown). */
  check: string | null;
  /** The other person, as the explanation names them. */
  name: string;
}

/** See the module description. */
export function ConnectionCheck({ check, name }: ConnectionCheckProps) {
  const styles = useStyles();
  const { t } = useTranslation();
  if (!check) return null;
  return (
    <span className={styles.root} data-testid="connection-check-group">
      <LockClosedRegular className={styles.icon} aria-hidden />
      <InfoLabel size="small" info={t('common.connectionCheck.info', { name })}>
        {t('common.connectionCheck.label')}
      </InfoLabel>
      <span className={styles.digits} dir="ltr" data-testid="connection-check">
        {check}
      </span>
    </span>
  );
}
