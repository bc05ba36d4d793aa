/**
 * @module settings
 * Tenant settings (Tenant administration > Remote Help > Settings), read and replaced by
 * administrators with `settings.manage` through `GET`/`PUT /api/v1/tenant/settings`.
 */
import { z } from 'zod';

/** Shortest and longest lifetime of a security code, in seconds (1 minute … 1 hour). */
export const CODE_TTL_RANGE = { min: 60, max: 3600 } as const;
/** Shortest and longest report retention, in days. */
export const RETENTION_RANGE = { min: 1, max: 3650 } as const;

/** The Remote Help settings of one organization. */
export const TenantSettings = z.strictObject({
  /** Off: every session action of the organization is refused, and live sessions end. */
  remoteHelpEnabled: z.boolean(),
  /** Off: only an enrolled device's Remote Help app may join as the sharer (no web sharer, no unenrolled agent). */
  allowUnenrolledDevices: z.boolean(),
  /** Chat in sessions is turned off (stored now; the chat work reads it). */
  disableChat: z.boolean(),
  /** How long a security code works, in seconds; null: the server's default. */
  codeTtlSeconds: z.number().int().min(CODE_TTL_RANGE.min).max(CODE_TTL_RANGE.max).nullable(),
  /** Session history and reports older than this are pruned (days). */
  reportRetentionDays: z.number().int().min(RETENTION_RANGE.min).max(RETENTION_RANGE.max),
});
export type TenantSettings = z.infer<typeof TenantSettings>;

/** `PUT /api/v1/tenant/settings`: the whole settings object (every field required). */
export const UpdateTenantSettingsRequest = TenantSettings;
export type UpdateTenantSettingsRequest = z.infer<typeof UpdateTenantSettingsRequest>;

/** What the server uses where the organization sets nothing (`codeTtlSeconds: null`). */
export const TenantSettingsDefaults = z.object({
  /** The server's code lifetime in seconds (`CODE_TTL_SECONDS`), used while `codeTtlSeconds` is null. */
  codeTtlSeconds: z.number().int().positive(),
});
export type TenantSettingsDefaults = z.infer<typeof TenantSettingsDefaults>;

/** `GET`/`PUT /api/v1/tenant/settings` → `{ settings, defaults }`. */
export const TenantSettingsResponse = z.object({ settings: TenantSettings, defaults: TenantSettingsDefaults });
export type TenantSettingsResponse = z.infer<typeof TenantSettingsResponse>;
