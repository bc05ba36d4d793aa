/**
 * @module helperRights
 * Whether a person's role lets them give help, read from the contract: exactly what getting a
 * security code (`createSession`) demands, so the apps offer *Give help* only when the server
 * would allow it.
 */
import { API } from '@remote-help/protocol';
import type { Permission } from '@remote-help/protocol';

const rule = API.createSession.permission;

/** True when `granted` satisfies the permission rule of getting a security code. */
export function canGiveHelp(granted: readonly Permission[]): boolean {
  if (!rule) return true;
  const all = rule.all ?? [];
  const any = rule.any ?? [];
  return all.every((p) => granted.includes(p)) && (any.length === 0 || any.some((p) => granted.includes(p)));
}
