/**
 * @module people
 * How a person and an organization are shown to others (trust screen, headers).
 */
import { z } from 'zod';

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
  /** The email domain when it is one of the tenant's verified domains, else null. */
  verifiedDomain: z.string().nullable(),
  tenantName: z.string(),
});
export type PersonCard = z.infer<typeof PersonCard>;

/** Permissions that decide what a signed-in person may do. Checked on the server; sent to clients only to shape the UI. */
export const PERMISSIONS = [
  'remoteHelp.viewScreen',
  'remoteHelp.takeFullControl',
  'remoteTasks.offerRemoteAssistance',
  'reports.read',
  'devices.manage',
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
  tenant: z.object({ id: Id, name: z.string(), verifiedDomains: z.array(z.string()) }),
  permissions: z.array(Permission),
  /** Send back as the `x-csrf-token` header on every state-changing request. */
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;
