/**
 * @module admin/tenant/settingsForm
 * The Remote Help settings form: numbers are edited as text (so a half-typed value is not
 * lost), checked against the server's ranges (`CODE_TTL_RANGE`, `RETENTION_RANGE`) and
 * turned back into the whole settings object the server replaces. The code lifetime is
 * edited in minutes; a stored lifetime that is not whole minutes shows as a decimal.
 */
import type { TenantSettings } from '@remote-help/protocol';
import { CODE_TTL_RANGE, RETENTION_RANGE } from '@remote-help/protocol';

export interface SettingsFormValues {
  remoteHelpEnabled: boolean;
  allowUnenrolledDevices: boolean;
  disableChat: boolean;
  /** `default`: the server's lifetime (`codeTtlSeconds: null`); `custom`: `codeTtlMinutes`. */
  codeTtlMode: 'default' | 'custom';
  codeTtlMinutes: string;
  reportRetentionDays: string;
}

export type SettingsFormErrors = Partial<
  Record<
    'codeTtlMinutes' | 'reportRetentionDays',
    | 'admin.tenant.settings.codeTtlInvalid'
    | 'admin.tenant.settings.codeTtlRange'
    | 'admin.tenant.settings.retentionInvalid'
    | 'admin.tenant.settings.retentionRange'
  >
>;

/** Lifetime limits in minutes, for messages and the input's bounds. */
export const CODE_TTL_MINUTES = { min: CODE_TTL_RANGE.min / 60, max: CODE_TTL_RANGE.max / 60 } as const;

/** Seconds as minutes text: `300` → `5`, `90` → `1.5`. */
function minutesText(seconds: number): string {
  return String(Math.round((seconds / 60) * 1000) / 1000);
}

/** The form for stored settings; a custom lifetime starts at the server's default when there is none. */
export function formValues(settings: TenantSettings, defaultCodeTtlSeconds: number): SettingsFormValues {
  return {
    remoteHelpEnabled: settings.remoteHelpEnabled,
    allowUnenrolledDevices: settings.allowUnenrolledDevices,
    disableChat: settings.disableChat,
    codeTtlMode: settings.codeTtlSeconds === null ? 'default' : 'custom',
    codeTtlMinutes: minutesText(settings.codeTtlSeconds ?? defaultCodeTtlSeconds),
    reportRetentionDays: String(settings.reportRetentionDays),
  };
}

/** A number typed in a text box: plain decimal digits only (no exponent, no sign). */
function parseNumber(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : null;
}

/** The lifetime in seconds, or null when the text is not a whole number of seconds. */
function codeTtlSeconds(text: string): number | null {
  const minutes = parseNumber(text);
  if (minutes === null) return null;
  const seconds = Math.round(minutes * 60 * 1000) / 1000;
  return Number.isInteger(seconds) ? seconds : null;
}

/** What the server would refuse, as translation keys. */
export function validateSettings(v: SettingsFormValues): SettingsFormErrors {
  const errors: SettingsFormErrors = {};
  if (v.codeTtlMode === 'custom') {
    const seconds = codeTtlSeconds(v.codeTtlMinutes);
    if (seconds === null) errors.codeTtlMinutes = 'admin.tenant.settings.codeTtlInvalid';
    else if (seconds < CODE_TTL_RANGE.min || seconds > CODE_TTL_RANGE.max)
      errors.codeTtlMinutes = 'admin.tenant.settings.codeTtlRange';
  }
  const days = parseNumber(v.reportRetentionDays);
  if (days === null || !Number.isInteger(days)) errors.reportRetentionDays = 'admin.tenant.settings.retentionInvalid';
  else if (days < RETENTION_RANGE.min || days > RETENTION_RANGE.max)
    errors.reportRetentionDays = 'admin.tenant.settings.retentionRange';
  return errors;
}

/** The settings to send; call only when {@link validateSettings} found nothing. */
export function toSettings(v: SettingsFormValues): TenantSettings {
  const seconds = v.codeTtlMode === 'custom' ? codeTtlSeconds(v.codeTtlMinutes) : null;
  return {
    remoteHelpEnabled: v.remoteHelpEnabled,
    allowUnenrolledDevices: v.allowUnenrolledDevices,
    disableChat: v.disableChat,
    codeTtlSeconds: seconds,
    reportRetentionDays: Number(v.reportRetentionDays.trim()),
  };
}

/** Whether saving `next` over `saved` turns Remote Help off (it ends live sessions: ask first). */
export function turnsRemoteHelpOff(saved: TenantSettings, next: TenantSettings): boolean {
  return saved.remoteHelpEnabled && !next.remoteHelpEnabled;
}

/** Whether the form differs from what is stored. */
export function isDirty(saved: TenantSettings, v: SettingsFormValues): boolean {
  if (Object.keys(validateSettings(v)).length > 0) return true;
  const next = toSettings(v);
  return (Object.keys(saved) as (keyof TenantSettings)[]).some((k) => saved[k] !== next[k]);
}
