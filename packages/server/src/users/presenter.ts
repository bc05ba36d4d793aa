/**
 * @module users/presenter
 * Turns a user row into the card others see on the trust screen.
 */
import type { PersonCard } from '@remote-help/protocol';
import type { PublicUserRow } from './repo.js';

/** The part of an email after the last `@`, lower-cased. */
export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** The verified domain of an email, or null when the domain is not one the tenant has verified. */
export function verifiedDomainOf(email: string, verifiedDomains: readonly string[]): string | null {
  const domain = emailDomain(email);
  return verifiedDomains.includes(domain) ? domain : null;
}

export function personCard(user: PublicUserRow, tenantName: string, verifiedDomains: readonly string[]): PersonCard {
  return {
    id: user.id,
    displayName: user.display_name,
    jobTitle: user.job_title,
    company: user.company,
    email: user.email,
    photoUrl: user.photo_mime ? `/api/v1/users/${user.id}/photo?v=${encodeURIComponent(user.updated_at)}` : null,
    verifiedDomain: verifiedDomainOf(user.email, verifiedDomains),
    tenantName,
  };
}
