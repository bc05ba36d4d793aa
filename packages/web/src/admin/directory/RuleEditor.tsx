/**
 * @module admin/directory/RuleEditor
 * The rule of a dynamic device group as one sentence of three parts: an inventory field, a
 * comparison that fits it, and a value (a choice for the OS and yes/no fields, text
 * otherwise). Says when the value is not usable yet (e.g. a version that is not a number).
 */
import { useTranslation } from 'react-i18next';
import { Dropdown, Field, Input, Option, makeStyles, tokens } from '@fluentui/react-components';
import type { DeviceRuleOp } from '@remote-help/protocol';
import { DEVICE_RULE_FIELDS } from '@remote-help/protocol';
import type { RuleDraft, RuleField } from './deviceRules';
import { BOOLEAN_FIELDS, OS_VALUES, opsFor, ruleOf, withField } from './deviceRules';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'flex-start' },
  part: { minWidth: '180px', flexGrow: 1 },
});

export interface RuleEditorProps {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
  disabled?: boolean;
}

/** See the module description. */
export function RuleEditor({ draft, onChange, disabled }: RuleEditorProps) {
  const { t } = useTranslation();
  const styles = useStyles();
  const fieldLabel = (f: RuleField) => t(`admin.directory.rule.field.${f}`);
  const opLabel = (op: DeviceRuleOp) => t(`admin.directory.rule.op.${op}`);
  const yesNo = BOOLEAN_FIELDS.includes(draft.field);
  const invalid = !yesNo && draft.field !== 'os' && draft.value.trim() !== '' && ruleOf(draft) === null;

  return (
    <div className={styles.row} data-testid="rule-editor">
      <Field className={styles.part} label={t('admin.directory.rule.fieldLabel')}>
        <Dropdown
          disabled={disabled}
          value={fieldLabel(draft.field)}
          selectedOptions={[draft.field]}
          onOptionSelect={(_, d) => d.optionValue && onChange(withField(draft, d.optionValue as RuleField))}
          data-testid="rule-field"
        >
          {DEVICE_RULE_FIELDS.map((f) => (
            <Option key={f} value={f}>
              {fieldLabel(f)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field className={styles.part} label={t('admin.directory.rule.opLabel')}>
        <Dropdown
          disabled={disabled}
          value={opLabel(draft.op)}
          selectedOptions={[draft.op]}
          onOptionSelect={(_, d) => d.optionValue && onChange({ ...draft, op: d.optionValue as DeviceRuleOp })}
          data-testid="rule-op"
        >
          {opsFor(draft.field).map((op) => (
            <Option key={op} value={op}>
              {opLabel(op)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field
        className={styles.part}
        label={t('admin.directory.rule.valueLabel')}
        validationState={invalid ? 'error' : 'none'}
        validationMessage={
          invalid
            ? draft.field === 'osVersion' && (draft.op === 'gte' || draft.op === 'lte')
              ? t('admin.directory.rule.versionHint')
              : t('admin.directory.rule.invalid')
            : undefined
        }
      >
        {draft.field === 'os' ? (
          <Dropdown
            disabled={disabled}
            value={t(`admin.directory.rule.os.${draft.value as (typeof OS_VALUES)[number]}`)}
            selectedOptions={[draft.value]}
            onOptionSelect={(_, d) => d.optionValue && onChange({ ...draft, value: d.optionValue })}
            data-testid="rule-value"
          >
            {OS_VALUES.map((os) => (
              <Option key={os} value={os}>
                {t(`admin.directory.rule.os.${os}`)}
              </Option>
            ))}
          </Dropdown>
        ) : yesNo ? (
          <Dropdown
            disabled={disabled}
            value={t(draft.value === 'true' ? 'admin.directory.rule.yes' : 'admin.directory.rule.no')}
            selectedOptions={[draft.value]}
            onOptionSelect={(_, d) => d.optionValue && onChange({ ...draft, value: d.optionValue })}
            data-testid="rule-value"
          >
            <Option value="true">{t('admin.directory.rule.yes')}</Option>
            <Option value="false">{t('admin.directory.rule.no')}</Option>
          </Dropdown>
        ) : (
          <Input
            disabled={disabled}
            value={draft.value}
            maxLength={128}
            placeholder={draft.field === 'osVersion' ? '14.2' : undefined}
            onChange={(_, d) => onChange({ ...draft, value: d.value })}
            data-testid="rule-value"
          />
        )}
      </Field>
    </div>
  );
}
