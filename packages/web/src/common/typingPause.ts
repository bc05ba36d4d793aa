/**
 * @module typingPause
 * A search box that searches once the typing pauses: the address (and so the server) follows the
 * box after {@link TYPING_PAUSE_MS}. Not when the user followed a link meanwhile: the router
 * changes the address at once but renders the next page in a transition, which keeps the list
 * mounted (and its timer running) until that render is done. On a busy machine that took longer
 * than the pause, and the search then replaced the page the user had opened with the list again
 * (seen in the admin center: a device clicked in All devices right after typing its name).
 */
import { useEffect, useState } from 'react';
import { useLocation } from 'react-router';

/** The pause after the last keystroke before a search runs. */
export const TYPING_PAUSE_MS = 300;

/**
 * Runs `apply` after the typing pause if the address is still on `pagePath` (the path the page
 * is rendered for; a change of the query alone is the page's own). Returns the cancel, for an
 * effect's cleanup.
 */
export function afterTypingPause(pagePath: string, apply: () => void, ms = TYPING_PAUSE_MS): () => void {
  const timer = setTimeout(() => {
    if (window.location.pathname === pagePath) apply();
  }, ms);
  return () => clearTimeout(timer);
}

/**
 * The text of a list page's search box whose search lives in the address (`addressSearch`, what
 * the address says now). Typing calls `apply(text)` after the pause (see {@link afterTypingPause});
 * the address changing by itself (back, a link, a reload) puts its search in the box. `apply`
 * should be stable between renders (`useCallback`): a new one restarts the pause.
 */
export function useAddressSearch(
  addressSearch: string,
  apply: (text: string) => void,
): [text: string, setText: (text: string) => void] {
  const { pathname } = useLocation(); // the page's own path
  const [text, setText] = useState(addressSearch);
  useEffect(() => {
    if (text.trim() === addressSearch.trim()) return;
    return afterTypingPause(pathname, () => apply(text));
  }, [text, addressSearch, apply, pathname]);
  useEffect(() => {
    setText((typed) => (typed.trim() === addressSearch.trim() ? typed : addressSearch));
  }, [addressSearch]);
  return [text, setText];
}
