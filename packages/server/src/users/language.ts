/**
 * @module users/language
 * The language a person chose in the web app's language picker (`users.locale`, 0016): read
 * with `GET /api/v1/me`, set with `PUT /api/v1/me/language`. Only a shipped language
 * (`SHIPPED_LANGUAGES`, enforced by the contract's schema and again here) or null (follow the
 * browser) is stored. A change is audited as `user.language_changed` with before → after;
 * choosing the language already saved writes and records nothing.
 */
import { LanguageTag, type PreferredLanguage } from '@remote-help/protocol';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { AppError, errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';

export interface UserLanguagesDeps {
  db: Db;
  audit: AuditLog;
}

export class UserLanguages {
  constructor(private readonly d: UserLanguagesDeps) {}

  /** The saved language; null when none is saved or the stored tag is no longer shipped. */
  async get(tenantId: string, userId: string): Promise<PreferredLanguage> {
    const row = await this.d.db
      .selectFrom('users')
      .select('locale')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    const parsed = LanguageTag.safeParse(row?.locale);
    return parsed.success ? parsed.data : null;
  }

  /** Saves the signed-in person's own language (null: follow the browser). */
  async set(principal: Principal, language: PreferredLanguage): Promise<void> {
    if (language !== null && !LanguageTag.safeParse(language).success) {
      throw new AppError('validation_failed', 'language must be one of the shipped languages, or null.');
    }
    const row = await this.d.db
      .selectFrom('users')
      .select('locale')
      .where('tenant_id', '=', principal.tenantId)
      .where('id', '=', principal.userId)
      .executeTakeFirst();
    if (!row) throw errors.authenticationRequired();
    if (row.locale === language) return;
    await this.d.audit.together(
      (db) =>
        db
          .updateTable('users')
          .set({ locale: language })
          .where('tenant_id', '=', principal.tenantId)
          .where('id', '=', principal.userId)
          .execute(),
      () =>
        byPerson(
          principal,
          'user.language_changed',
          { type: 'user', id: principal.userId },
          { before: { language: row.locale }, after: { language }, self: true },
        ),
    );
  }
}
