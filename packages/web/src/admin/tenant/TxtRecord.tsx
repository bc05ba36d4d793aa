/**
 * @module admin/tenant/TxtRecord
 * The DNS TXT record that proves a domain: type, name and value as the administrator types
 * them at their DNS provider, each with a Copy button that says when it copied (or that it could
 * not, when the browser gives no clipboard: then the text is selectable by hand).
 */
import { useTranslation } from 'react-i18next';
import { Caption1, makeStyles, tokens } from '@fluentui/react-components';
import { CopyButton } from '../common/CopyButton';

const useStyles = makeStyles({
  grid: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr) max-content',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  label: { color: tokens.colorNeutralForeground2 },
  code: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all', userSelect: 'all' },
});

/** See the module description. */
export function TxtRecord({ name, value }: { name: string; value: string }) {
  const { t } = useTranslation();
  const styles = useStyles();
  return (
    <div className={styles.grid} data-testid="txt-record">
      <Caption1 className={styles.label}>{t('admin.domains.recordType')}</Caption1>
      <span className={styles.code}>TXT</span>
      <span />
      <Caption1 className={styles.label}>{t('admin.domains.recordName')}</Caption1>
      <span className={styles.code} data-testid="txt-name">
        {name}
      </span>
      <CopyButton text={name} label={t('admin.domains.copyName')} testId="copy-txt-name" />
      <Caption1 className={styles.label}>{t('admin.domains.recordValue')}</Caption1>
      <span className={styles.code} data-testid="txt-value">
        {value}
      </span>
      <CopyButton text={value} label={t('admin.domains.copyValue')} testId="copy-txt-value" />
    </div>
  );
}
