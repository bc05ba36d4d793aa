/**
 * @module tenants/settingsRepo
 * The only SQL about a tenant's Remote Help settings (columns of `tenants`).
 */
import type { Db } from '../db/client.js';

export interface SettingsRow {
  remote_help_enabled: number;
  allow_unenrolled: number;
  disable_chat: number;
  code_ttl_seconds: number | null;
  report_retention_days: number;
}

const COLUMNS = [
  'remote_help_enabled',
  'allow_unenrolled',
  'disable_chat',
  'code_ttl_seconds',
  'report_retention_days',
] as const;

export class SettingsRepo {
  constructor(private readonly db: Db) {}

  async find(tenantId: string): Promise<SettingsRow | undefined> {
    return this.db.selectFrom('tenants').select(COLUMNS).where('id', '=', tenantId).executeTakeFirst();
  }

  /** Saves the settings, on `db` when given (a transaction). */
  async save(tenantId: string, row: SettingsRow, db: Db = this.db): Promise<void> {
    await db.updateTable('tenants').set(row).where('id', '=', tenantId).execute();
  }
}
