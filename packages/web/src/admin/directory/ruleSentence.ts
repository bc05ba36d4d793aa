/**
 * @module admin/directory/ruleSentence
 * A dynamic device group's rule in words ("OS version is at least 14.2").
 */
import type { TFunction } from 'i18next';
import type { DeviceGroupRule } from '@remote-help/protocol';
import { OS_VALUES } from './deviceRules';

/** See the module description. */
export function ruleSentence(t: TFunction, rule: DeviceGroupRule): string {
  const value =
    typeof rule.value === 'boolean'
      ? t(rule.value ? 'admin.directory.rule.yes' : 'admin.directory.rule.no')
      : rule.field === 'os' && (OS_VALUES as readonly string[]).includes(rule.value.toLowerCase())
        ? t(`admin.directory.rule.os.${rule.value.toLowerCase() as (typeof OS_VALUES)[number]}`)
        : rule.value;
  return t('admin.directory.rule.sentence', {
    field: t(`admin.directory.rule.field.${rule.field}`),
    op: t(`admin.directory.rule.op.${rule.op}`),
    value,
  });
}
