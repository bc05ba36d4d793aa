/**
 * @module app/uiState
 * Pure helpers that turn a session as the server describes it into what the window shows.
 */
import type { PersonCard, SessionView } from '@remote-help/protocol';
import { isAgentError } from '../errors.js';
import { isApiError } from '../session/apiClient.js';
import type { UiPerson, UiScreen } from '../ui/model.js';

/** The error code the window shows for `error` (the server's own code when it gave one). */
export function errorCode(error: unknown): string {
  if (isApiError(error)) return error.code;
  if (!isAgentError(error)) return 'generic';
  const serverCode = error.data?.['code'];
  return typeof serverCode === 'string' ? serverCode : error.reason;
}

/** The screen for a signed-in user with `session` (null: no session yet). */
export function sessionScreen(session: SessionView | null, busy: boolean): UiScreen {
  if (!session) return busy ? 'joining' : 'enterCode';
  switch (session.state) {
    case 'waiting':
    case 'joined':
      return 'trust';
    case 'requested':
      return 'request';
    case 'active':
      return 'sharing';
    case 'ended':
      return 'ended';
  }
}

/** The helper as the trust screen shows them. */
export function uiPerson(card: PersonCard): UiPerson {
  return {
    displayName: card.displayName,
    jobTitle: card.jobTitle,
    company: card.company,
    email: card.email,
    tenantName: card.tenantName,
    verifiedDomain: card.verifiedDomain,
    assertedDomain: card.assertedDomain,
    hasPhoto: card.photoUrl !== null,
  };
}
