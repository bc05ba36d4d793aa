/**
 * @module pickLanguage
 * Chooses the shipped language that best matches the browser's preferences.
 */

/**
 * Tags that name a shipped language by another name: Chinese by region (Taiwan, Hong Kong and
 * Macao write Traditional, the rest Simplified), Norwegian without its written standard.
 */
const ALIASES: Record<string, string> = {
  'zh-tw': 'zh-hant',
  'zh-hk': 'zh-hant',
  'zh-mo': 'zh-hant',
  'zh-cn': 'zh-hans',
  'zh-sg': 'zh-hans',
  zh: 'zh-hans',
  no: 'nb',
  nn: 'nb',
};

/** `zh-Hant-TW` → `zh-hant`, `zh-TW` → `zh-hant`, `nn-NO` → `nb`: the tag as the shipped files name it, lowercase. */
function canonical(tag: string): string {
  const lower = tag.toLowerCase();
  const [language = lower, second] = lower.split('-');
  if (language === 'zh' && (second === 'hant' || second === 'hans')) return `zh-${second}`;
  return ALIASES[lower] ?? ALIASES[`${language}-${second}`] ?? ALIASES[language] ?? lower;
}

/** The best shipped language for the browser's preferences: exact tag first, then the base language. */
export function pickLanguage(preferred: readonly string[], available: readonly string[]): string {
  const lowered = available.map((tag) => tag.toLowerCase());
  for (const tag of preferred) {
    const wanted = canonical(tag);
    const exact = lowered.indexOf(wanted);
    if (exact >= 0) return available[exact] ?? 'en';
    const base = wanted.split('-')[0] ?? wanted;
    const sameBase = lowered.findIndex((candidate) => candidate === base || candidate.split('-')[0] === base);
    if (sameBase >= 0) return available[sameBase] ?? 'en';
  }
  return 'en';
}
