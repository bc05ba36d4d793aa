/**
 * @module codeStore
 * The security code is returned once, when the session is created; the server keeps only
 * its keyed hash. It is kept in this browser's localStorage, so a reload or another tab of
 * the same sign-in (resuming the session from the start screen, or the helper app the admin
 * center's device page opens in a new tab) can still show it.
 */

const key = (sessionId: string): string => `remote-help.code.${sessionId}`;

/** Remembers the code of a session in this browser. */
export function saveCode(sessionId: string, code: string): void {
  try {
    window.localStorage.setItem(key(sessionId), code);
  } catch {
    // Storage may be disabled; the code is then only shown until the next reload.
  }
}

/** The remembered code of a session, or null. */
export function loadCode(sessionId: string): string | null {
  try {
    const code = window.localStorage.getItem(key(sessionId));
    return code && /^\d{8}$/.test(code) ? code : null;
  } catch {
    return null;
  }
}

/** Forgets the code of a session. */
export function forgetCode(sessionId: string): void {
  try {
    window.localStorage.removeItem(key(sessionId));
  } catch {
    // Nothing to forget.
  }
}
