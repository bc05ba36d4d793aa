/**
 * @module i18n
 * Initialises i18next with the browser's preferred language, falling back to English.
 * English is bundled; every other `locales/<lang>.json` (e.g. `de.json`, `pt-BR.json`)
 * is found at build time and loaded on demand, so adding a language is adding a file.
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

/** Initialises i18next; resolves once the chosen language is ready. */
export async function initI18n(): Promise<void> {
  const preferred = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  let language = pickLanguage(preferred, LANGUAGES);
  const resources: Resource = { en: { translation: en } };
  if (language !== 'en') {
    try {
      const loader = lazyLocales[`./locales/${language}.json`];
      if (!loader) throw new Error(`no translations for ${language}`);
      resources[language] = { translation: (await loader()).default };
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
