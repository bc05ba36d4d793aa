/**
 * @module admin/common/CopyButton
 * A small Copy button that says when it copied (or that it could not, when the browser gives no
 * clipboard: then the text shown beside it is selectable by hand).
 */
import { useTranslation } from 'react-i18next';
import { Button } from '@fluentui/react-components';
import { CheckmarkRegular, CopyRegular } from '@fluentui/react-icons';
import { useCopy } from '../devices/useCopy';

/** See the module description; `label` names what is copied for screen readers. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId: string }) {
  const { t } = useTranslation();
  const { copied, failed, copy } = useCopy();
  return (
    <Button
      size="small"
      icon={copied ? <CheckmarkRegular /> : <CopyRegular />}
      aria-label={label}
      onClick={() => copy(text)}
      data-testid={testId}
    >
      {copied ? t('admin.domains.copied') : failed ? t('admin.domains.copyFailed') : t('admin.domains.copy')}
    </Button>
  );
}
