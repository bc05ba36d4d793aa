/**
 * @module i18n/catalogs
 * The agent's catalogs, one per shipped language (`locales/<tag>.ts`), written for this product
 * with the terms of the web app's glossary (`packages/web/src/i18n/glossary`). English is the
 * source; `catalogs.test.ts` checks that every other language has exactly its keys, its
 * placeholders and its own plural forms.
 */
import type { LanguageTag } from '@remote-help/protocol';
import { en } from './locales/en.js';
import { ar } from './locales/ar.js';
import { bg } from './locales/bg.js';
import { cs } from './locales/cs.js';
import { da } from './locales/da.js';
import { de } from './locales/de.js';
import { el } from './locales/el.js';
import { es } from './locales/es.js';
import { et } from './locales/et.js';
import { fi } from './locales/fi.js';
import { fr } from './locales/fr.js';
import { he } from './locales/he.js';
import { hr } from './locales/hr.js';
import { hu } from './locales/hu.js';
import { it } from './locales/it.js';
import { ja } from './locales/ja.js';
import { ko } from './locales/ko.js';
import { lt } from './locales/lt.js';
import { lv } from './locales/lv.js';
import { nb } from './locales/nb.js';
import { nl } from './locales/nl.js';
import { pl } from './locales/pl.js';
import { ptBR } from './locales/pt-BR.js';
import { ro } from './locales/ro.js';
import { ru } from './locales/ru.js';
import { sk } from './locales/sk.js';
import { sl } from './locales/sl.js';
import { srLatn } from './locales/sr-Latn.js';
import { sv } from './locales/sv.js';
import { th } from './locales/th.js';
import { tr } from './locales/tr.js';
import { uk } from './locales/uk.js';
import { zhHans } from './locales/zh-Hans.js';
import { zhHant } from './locales/zh-Hant.js';

/** One language's messages: key → text with `{name}` placeholders. */
export type Catalog = Readonly<Record<string, string>>;

/** Every shipped language's catalog. */
export const CATALOGS: Readonly<Record<LanguageTag, Catalog>> = {
  en: en,
  ar: ar,
  bg: bg,
  cs: cs,
  da: da,
  de: de,
  el: el,
  es: es,
  et: et,
  fi: fi,
  fr: fr,
  he: he,
  hr: hr,
  hu: hu,
  it: it,
  ja: ja,
  ko: ko,
  lt: lt,
  lv: lv,
  nb: nb,
  nl: nl,
  pl: pl,
  'pt-BR': ptBR,
  ro: ro,
  ru: ru,
  sk: sk,
  sl: sl,
  'sr-Latn': srLatn,
  sv: sv,
  th: th,
  tr: tr,
  uk: uk,
  'zh-Hans': zhHans,
  'zh-Hant': zhHant,
};
