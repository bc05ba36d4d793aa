/**
 * @module admin/roles/PermissionPicker
 * A custom role's permissions as checkboxes grouped by category, each with a plain-language
 * description. Ticking Take full control ticks View screen too and says why; View screen
 * stays ticked (and locked) while full control is. Warns when a helper-like role could not
 * start a session.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Caption1,
  Checkbox,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { Permission } from '@remote-help/protocol';
import { PERMISSION_CATEGORIES, isImplied, roleWarnings, toggle } from './permissionCatalog';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  category: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    border: 'none',
  },
  legend: { padding: 0, marginBlockEnd: tokens.spacingVerticalXS },
  item: { display: 'flex', flexDirection: 'column' },
  description: {
    color: tokens.colorNeutralForeground3,
    paddingInlineStart: '32px',
    marginBlockStart: `calc(-1 * ${tokens.spacingVerticalXS})`,
  },
});

export interface PermissionPickerProps {
  value: readonly Permission[];
  onChange: (next: Permission[]) => void;
  disabled?: boolean;
}

/** See the module description. */
export function PermissionPicker({ value, onChange, disabled }: PermissionPickerProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const baseId = useId();
  const warnings = roleWarnings(value);
  const controlTicked = value.includes('remoteHelp.takeFullControl');

  return (
    <div className={styles.root} data-testid="permission-picker">
      {PERMISSION_CATEGORIES.map((category) => (
        <fieldset key={category.key} className={styles.category}>
          <legend className={styles.legend}>
            <Subtitle2>{t(`admin.roles.category.${category.key}`)}</Subtitle2>
          </legend>
          {category.permissions.map((p) => {
            const implied = isImplied(value, p.id);
            const descriptionId = `${baseId}-${p.key}`;
            return (
              <div key={p.id} className={styles.item}>
                <Checkbox
                  label={t(`admin.roles.permission.${p.key}.name`)}
                  checked={value.includes(p.id)}
                  disabled={disabled || implied}
                  aria-describedby={descriptionId}
                  onChange={(_, data) => onChange(toggle(value, p.id, data.checked === true))}
                  data-permission={p.id}
                />
                <Caption1 id={descriptionId} className={styles.description}>
                  {implied ? t('admin.roles.impliedByControl') : t(`admin.roles.permission.${p.key}.description`)}
                </Caption1>
              </div>
            );
          })}
          {category.key === 'remoteHelp' && controlTicked ? (
            <MessageBar intent="info" data-testid="control-implies-view">
              <MessageBarBody>{t('admin.roles.controlImpliesView')}</MessageBarBody>
            </MessageBar>
          ) : null}
        </fieldset>
      ))}
      {warnings.map((w) => (
        <MessageBar key={w} intent="warning" data-testid={`role-warning-${w}`}>
          <MessageBarBody>{t(`admin.roles.warning.${w}`)}</MessageBarBody>
        </MessageBar>
      ))}
    </div>
  );
}
