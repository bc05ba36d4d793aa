/**
 * @module pickLanguage
 * Chooses the shipped language that best matches the browser's preferences.
 */

/** The best shipped language for the browser's preferences: exact tag first, then the base language. */
export function pickLanguage(preferred: readonly string[], available: readonly string[]): string {
  const lowered = available.map((tag) => tag.toLowerCase());
  for (const tag of preferred) {
    const wanted = tag.toLowerCase();
    const exact = lowered.indexOf(wanted);
    if (exact >= 0) return available[exact] ?? 'en';
    const base = wanted.split('-')[0] ?? wanted;
    const sameBase = lowered.findIndex((candidate) => candidate === base || candidate.split('-')[0] === base);
    if (sameBase >= 0) return available[sameBase] ?? 'en';
  }
  return 'en';
}
