/**
 * @module i18n
 * The agent's languages: choosing one (`systemLocale.ts`) and speaking it (`translator.ts`).
 */
export { CATALOGS, type Catalog } from './catalogs.js';
export { chooseLanguage, languageFromName, type ChosenLanguage, type LocaleInputs } from './systemLocale.js';
export { translator, Translator, type MessageKey, type MessageValues } from './translator.js';
