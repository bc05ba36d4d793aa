/**
 * @module identity/i18n/catalogs
 * Every shipped language's catalog, by its tag in `SHIPPED_LANGUAGES`: the type makes a missing
 * language a compile error, the suite (`catalogs.test.ts`) checks each catalog's contents.
 */
import type { LanguageTag } from '@remote-help/protocol';
import type { Catalog } from './en.js';
import { en } from './en.js';
import { ar } from './ar.js';
import { bg } from './bg.js';
import { cs } from './cs.js';
import { da } from './da.js';
import { de } from './de.js';
import { el } from './el.js';
import { es } from './es.js';
import { et } from './et.js';
import { fi } from './fi.js';
import { fr } from './fr.js';
import { he } from './he.js';
import { hr } from './hr.js';
import { hu } from './hu.js';
import { it } from './it.js';
import { ja } from './ja.js';
import { ko } from './ko.js';
import { lt } from './lt.js';
import { lv } from './lv.js';
import { nb } from './nb.js';
import { nl } from './nl.js';
import { pl } from './pl.js';
import { ptBR } from './pt-BR.js';
import { ro } from './ro.js';
import { ru } from './ru.js';
import { sk } from './sk.js';
import { sl } from './sl.js';
import { srLatn } from './sr-Latn.js';
import { sv } from './sv.js';
import { th } from './th.js';
import { tr } from './tr.js';
import { uk } from './uk.js';
import { zhHans } from './zh-Hans.js';
import { zhHant } from './zh-Hant.js';

/** The sign-in pages' strings in every shipped language. */
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
