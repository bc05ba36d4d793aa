/**
 * @module i18n
 * Initialises i18next with the browser's preferred language, falling back to English.
 * English is bundled; every other `locales/<lang>.json` (e.g. `de.json`, `pt-BR.json`)
 * is found at build time and loaded on demand, so adding a language is adding a file (and
 * its tag in the protocol's `SHIPPED_LANGUAGES`, which the server accepts as a saved choice).
 * `switchLanguage` is the language picker's: it loads the chosen language and switches at
 * once (`<html lang dir>` follow; the app's `FluentProvider` re-renders with the new `dir`).
 */
import i18next from 'i18next';
import type { Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import { pickLanguage } from './pickLanguage';

/** Lazily loaded translations, keyed by `./locales/<lang>.json`. */
const lazyLocales = import.meta.glob<{ default: Record<string, unknown> }>(['./locales/*.json', '!./locales/en.json']);

/** Every language the build ships, as BCP 47 tags (file names). */
export const LANGUAGES: readonly string[] = [
  'en',
  ...Object.keys(lazyLocales).map((path) => path.slice('./locales/'.length, -'.json'.length)),
];

/** Sets `<html lang dir>` for the current language. */
function applyToDocument(language: string): void {
  document.documentElement.lang = language;
  document.documentElement.dir = i18next.dir(language);
}

/** The shipped language that best matches the browser's `navigator.languages`. */
export function browserLanguage(): string {
  const preferred = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  return pickLanguage(preferred, LANGUAGES);
}

/** Loads a shipped language's translations (English is bundled). */
async function loadLocale(language: string): Promise<Record<string, unknown>> {
  if (language === 'en') return en;
  const loader = lazyLocales[`./locales/${language}.json`];
  if (!loader) throw new Error(`no translations for ${language}`);
  return (await loader()).default;
}

/**
 * Switches the app to `language` (a shipped tag), or to the browser's language for null,
 * loading its translations first; resolves once every `t` speaks it.
 */
export async function switchLanguage(language: string | null): Promise<void> {
  const wanted = language !== null && LANGUAGES.includes(language) ? language : browserLanguage();
  if (!i18next.hasResourceBundle(wanted, 'translation')) {
    i18next.addResourceBundle(wanted, 'translation', await loadLocale(wanted));
  }
  if (i18next.language !== wanted) await i18next.changeLanguage(wanted);
}

/** Initialises i18next; resolves once the chosen language is ready. */
export async function initI18n(): Promise<void> {
  let language = browserLanguage();
  const resources: Resource = { en: { translation: en } };
  if (language !== 'en') {
    try {
      resources[language] = { translation: await loadLocale(language) };
    } catch {
      language = 'en';
    }
  }
  await i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: 'en',
    resources,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  applyToDocument(language);
  i18next.on('languageChanged', applyToDocument);
}

export { i18next };
