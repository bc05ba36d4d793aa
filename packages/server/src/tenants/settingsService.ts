/**
 * @module tenants/settingsService
 * The organization's Remote Help settings: read and replaced by `settings.manage`, each change
 * audited with the values before and after. Turning Remote Help off ends the organization's
 * live sessions (`onRemoteHelpDisabled`), since a session already running would otherwise go on.
 */
import type { TenantSettings } from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { SettingsRepo, SettingsRow } from './settingsRepo.js';

export interface SettingsServiceDeps {
  repo: SettingsRepo;
  audit: AuditLog;
  /** Called after Remote Help was switched off for a tenant. */
  onRemoteHelpDisabled: (tenantId: string, by: Principal) => Promise<void>;
}

export function settingsOf(row: SettingsRow): TenantSettings {
  return {
    remoteHelpEnabled: row.remote_help_enabled === 1,
    allowUnenrolledDevices: row.allow_unenrolled === 1,
    disableChat: row.disable_chat === 1,
    codeTtlSeconds: row.code_ttl_seconds,
    reportRetentionDays: row.report_retention_days,
  };
}

function rowOf(settings: TenantSettings): SettingsRow {
  return {
    remote_help_enabled: settings.remoteHelpEnabled ? 1 : 0,
    allow_unenrolled: settings.allowUnenrolledDevices ? 1 : 0,
    disable_chat: settings.disableChat ? 1 : 0,
    code_ttl_seconds: settings.codeTtlSeconds,
    report_retention_days: settings.reportRetentionDays,
  };
}

export class SettingsService {
  constructor(private readonly d: SettingsServiceDeps) {}

  private assertMayManage(principal: Principal): void {
    if (!can(principal, 'settings.manage')) throw errors.forbidden('Your role does not allow you to manage settings.');
  }

  /** The caller's organization's settings (administrators with `settings.manage`). */
  async get(principal: Principal): Promise<TenantSettings> {
    this.assertMayManage(principal);
    return settingsOf(await this.load(principal.tenantId));
  }

  /** Replaces the settings; audits the fields that changed, before → after. */
  async put(principal: Principal, next: TenantSettings): Promise<TenantSettings> {
    this.assertMayManage(principal);
    const before = settingsOf(await this.load(principal.tenantId));
    const changed = (Object.keys(next) as (keyof TenantSettings)[]).filter((k) => before[k] !== next[k]);
    if (changed.length === 0) return before;
    await this.d.audit.together(
      (db) => this.d.repo.save(principal.tenantId, rowOf(next), db),
      () =>
        byPerson(
          principal,
          'tenant.settings_updated',
          { type: 'tenant', id: principal.tenantId },
          {
            before: Object.fromEntries(changed.map((k) => [k, before[k]])),
            after: Object.fromEntries(changed.map((k) => [k, next[k]])),
          },
        ),
    );
    if (before.remoteHelpEnabled && !next.remoteHelpEnabled)
      await this.d.onRemoteHelpDisabled(principal.tenantId, principal);
    return next;
  }

  private async load(tenantId: string): Promise<SettingsRow> {
    const row = await this.d.repo.find(tenantId);
    if (!row) throw errors.notFound('Organization');
    return row;
  }
}
