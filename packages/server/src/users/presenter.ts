/**
 * @module users/presenter
 * Turns a user row into the card others see on the trust screen. Names, titles and the
 * organization come from a directory or a person's own profile: they pass through the
 * protocol's `displayText` (no controls, no bidi overrides, bounded) before anyone sees them.
 * The domain badge: verified only by DNS; a domain the administrator asserted says so.
 */
import type { PersonCard } from '@remote-help/protocol';
import { displayText, displayTextOrNull } from '@remote-help/protocol';
import type { HeldDomain, PublicUserRow } from './repo.js';

/** The part of an email after the last `@`, lower-cased. */
export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** The held domain an email is in, or null when the tenant does not hold that domain. */
export function heldDomainOf(email: string, domains: readonly HeldDomain[]): HeldDomain | null {
  const domain = emailDomain(email);
  return domains.find((d) => d.domain === domain) ?? null;
}

/** Longest name, title or organization shown, in code points. */
export const PERSON_TEXT_MAX = 128;

/**
 * The card of `user`. `domains`: the tenant's held domains; only a DNS-proven one fills
 * `verifiedDomain` (the badge), an asserted one fills `assertedDomain`.
 */
export function personCard(user: PublicUserRow, tenantName: string, domains: readonly HeldDomain[]): PersonCard {
  const email = displayText(user.email, { max: 254, fallback: '' });
  const held = heldDomainOf(user.email, domains);
  return {
    id: user.id,
    displayName: displayText(user.display_name, { max: PERSON_TEXT_MAX, fallback: email || '—' }),
    jobTitle: displayTextOrNull(user.job_title, PERSON_TEXT_MAX),
    company: displayTextOrNull(user.company, PERSON_TEXT_MAX),
    email,
    photoUrl: user.photo_mime ? `/api/v1/users/${user.id}/photo?v=${encodeURIComponent(user.updated_at)}` : null,
    verifiedDomain: held?.proof === 'dns' ? held.domain : null,
    assertedDomain: held?.proof === 'asserted' ? held.domain : null,
    tenantName: displayText(tenantName, { max: PERSON_TEXT_MAX, fallback: '' }),
  };
}
