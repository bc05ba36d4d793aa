/**
 * @module people
 * How a person and an organization are shown to others (trust screen, headers).
 */
import { z } from 'zod';
import { PreferredLanguage } from './languages.js';

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an identifier');

/** What the other side of a session sees on the trust screen. */
export const PersonCard = z.object({
  id: Id,
  displayName: z.string(),
  jobTitle: z.string().nullable(),
  company: z.string().nullable(),
  email: z.string(),
  /** URL of the profile picture (same origin, authorized), or null when the person has none. */
  photoUrl: z.string().nullable(),
  /** The email domain when the tenant proved it by a DNS TXT record (the "Verified domain" badge), else null. */
  verifiedDomain: z.string().nullable(),
  /**
   * The email domain when the tenant holds it only on an administrator's word (the embedded demo's
   * domains), else null. Never a "verified" badge: screens say the administrator asserted it.
   */
  assertedDomain: z.string().nullable(),
  tenantName: z.string(),
});
export type PersonCard = z.infer<typeof PersonCard>;

/** Permissions that decide what a signed-in person may do. Checked on the server; sent to clients only to shape the UI. */
export const PERMISSIONS = [
  'remoteHelp.viewScreen',
  'remoteHelp.takeFullControl',
  'remoteTasks.offerRemoteAssistance',
  'reports.read',
  'devices.read',
  'devices.manage',
  'users.manage',
  'roles.manage',
  'policies.manage',
  'settings.manage',
  'audit.read',
] as const;
export const Permission = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof Permission>;

/** `GET /api/v1/me`: the signed-in person, their organization and what they may do. */
export const Me = z.object({
  user: PersonCard,
  /** `verifiedDomains`: every domain the tenant holds (DNS-verified or asserted), where its people's emails may be. */
  tenant: z.object({ id: Id, name: z.string(), verifiedDomains: z.array(z.string()) }),
  permissions: z.array(Permission),
  /** The language the person chose in the language picker, or null to follow the browser. */
  language: PreferredLanguage,
  /** Send back as the `x-csrf-token` header on every state-changing request. */
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;
