/**
 * @module pickLanguage
 * Chooses the shipped language that best matches the browser's preferences, through the
 * protocol's one matcher (the sign-in pages and the agent use it too).
 */
import { matchLanguage } from '@remote-help/protocol';

/** The best shipped language for the browser's preferences: exact tag first, then the base language. */
export function pickLanguage(preferred: readonly string[], available: readonly string[]): string {
  return matchLanguage(preferred, available) ?? 'en';
}
