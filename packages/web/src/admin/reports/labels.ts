/**
 * @module admin/reports/labels
 * The words for what the reports show: audit activities (by the protocol's vocabulary; an
 * action recorded before a rename shows as recorded), target and initiator types, states,
 * modes, end reasons and compliance at start.
 */
import type { TFunction } from 'i18next';
import type { AuditTargetType, SessionReport } from '@remote-help/protocol';
import { AUDIT_ACTIONS, AuditAction, AuditTargetType as TargetTypeSchema } from '@remote-help/protocol';

/**
 * A translation looked up by a key made at run time, falling back to `fallback`. Activities and
 * target types join the protocol's vocabulary from other work before their words are written
 * here; until then the page shows the name as recorded (`reportQuery.test.ts` asks for the words).
 */
function lookup(t: TFunction, key: string, fallback: string): string {
  return (t as unknown as (key: string, options: { defaultValue: string }) => string)(key, { defaultValue: fallback });
}

/** The activity of an audit event in words. */
export function actionLabel(t: TFunction, action: string): string {
  const known = AuditAction.safeParse(action);
  return known.success ? lookup(t, `admin.reports.actions.${known.data}`, action) : action;
}

/** Every activity with its words, sorted by them (the filter's options). */
export function actionOptions(t: TFunction): { value: AuditAction; text: string }[] {
  return AUDIT_ACTIONS.map((value) => ({ value, text: actionLabel(t, value) })).sort((a, b) =>
    a.text.localeCompare(b.text),
  );
}

/** A target type in words (an unknown one as recorded). */
export function targetTypeLabel(t: TFunction, type: string): string {
  const known = TargetTypeSchema.safeParse(type);
  return known.success ? lookup(t, `admin.reports.targetTypes.${known.data satisfies AuditTargetType}`, type) : type;
}

/** The sharer's device when they joined, in words. */
export function complianceLabel(t: TFunction, device: SessionReport['sharerDevice']): string {
  if (!device) return t('admin.reports.common.never');
  if (!device.enrolled) return t('admin.reports.compliance.unenrolled');
  return t(`admin.reports.compliance.${device.compliance ?? 'not_evaluated'}`);
}
