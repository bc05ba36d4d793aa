/**
 * @module admin/tenant/ruleText
 * A compliance rule in a few words for the policy list ("macOS 14.5 or later").
 */
import type { TFunction } from 'i18next';
import type { ComplianceRule } from '@remote-help/protocol';

export const OS_NAMES = { macos: 'macOS', linux: 'Linux', windows: 'Windows' } as const;

export function ruleSummary(t: TFunction, rule: ComplianceRule): string {
  switch (rule.type) {
    case 'minOsVersion':
      return t('admin.tenant.compliance.rule.minOsVersion', { os: OS_NAMES[rule.os], version: rule.version });
    case 'checkInWithinDays':
      return t('admin.tenant.compliance.rule.checkInWithinDays', { count: rule.days });
    default:
      return t(`admin.tenant.compliance.rule.${rule.type}`);
  }
}
