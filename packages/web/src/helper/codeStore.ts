/**
 * @module codeStore
 * The security code is returned once, when the session is created. It is kept in this
 * tab's sessionStorage so that a reload of the waiting screen can still show it.
 */

const key = (sessionId: string): string => `remote-help.code.${sessionId}`;

/** Remembers the code of a session for this tab. */
export function saveCode(sessionId: string, code: string): void {
  try {
    window.sessionStorage.setItem(key(sessionId), code);
  } catch {
    // Storage may be disabled; the code is then only shown until the next reload.
  }
}

/** The remembered code of a session, or null. */
export function loadCode(sessionId: string): string | null {
  try {
    const code = window.sessionStorage.getItem(key(sessionId));
    return code && /^\d{8}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

/** Forgets the code of a session. */
export function forgetCode(sessionId: string): void {
  try {
    window.sessionStorage.removeItem(key(sessionId));
  } catch {
    // Nothing to forget.
  }
}
