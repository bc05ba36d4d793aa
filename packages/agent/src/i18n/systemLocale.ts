/**
 * @module i18n/systemLocale
 * Which language the agent speaks: `--language`, else `REMOTE_HELP_LANGUAGE`, else the
 * system's. On Linux and other Unix systems the system's language is the POSIX locale of
 * messages (`LC_ALL`, else `LC_MESSAGES`, else `LANG`; GNU `LANGUAGE` lists preferences ahead of
 * it unless the locale is `C`); on macOS the user's preferred languages
 * (`defaults read -g AppleLanguages`), else `AppleLocale`, else `LANG`. The best shipped match
 * is chosen by the protocol's `matchLanguage`, the same matcher the web app's language uses.
 */
import { execFile } from 'node:child_process';
import { matchLanguage, posixLocaleToTag, SHIPPED_LANGUAGES, type LanguageTag } from '@remote-help/protocol';

/** Where the language came from. */
export type LanguageSource = 'flag' | 'env' | 'system' | 'default';

/** What the language is read from (all injectable for tests). */
export interface LocaleInputs {
  /** `--language` as given, or null. */
  flag: string | null;
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Reads a global macOS default (`defaults read -g <key>`), null when it is not set or cannot be read. */
  readAppleDefault?: (key: 'AppleLanguages' | 'AppleLocale') => Promise<string | null>;
}

/** The chosen language and where it came from. */
export interface ChosenLanguage {
  language: LanguageTag;
  source: LanguageSource;
}

/** The shipped language `value` names (`de`, `de-AT`, `de_DE.UTF-8`, `zh-TW`), or null when none. */
export function languageFromName(value: string): LanguageTag | null {
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > 64) return null;
  const tag = /[._@]/.test(trimmed) ? posixLocaleToTag(trimmed) : trimmed;
  if (!tag || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(tag)) return null;
  return matchLanguage([tag], SHIPPED_LANGUAGES);
}

/** The language tags of the POSIX locale environment, best first (empty for `C`/`POSIX` or nothing set). */
export function posixPreferences(env: Record<string, string | undefined>): string[] {
  const locale = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].find((value) => value !== undefined && value !== '');
  if (locale === undefined) return [];
  const main = posixLocaleToTag(locale);
  if (main === null) return []; // C, POSIX: untranslated messages (GNU ignores LANGUAGE then too).
  const listed = (env['LANGUAGE'] ?? '')
    .split(':')
    .map((entry) => posixLocaleToTag(entry))
    .filter((tag): tag is string => tag !== null);
  return [...listed, main];
}

/** macOS `defaults` output (`(\n    "de-DE",\n    en\n)` or `de_DE`) as language tags, best first. */
export function parseAppleDefault(output: string): string[] {
  const body = output.trim().replace(/^\(/, '').replace(/\)$/, '');
  return body
    .split(/[,\n]/)
    .map((item) => item.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean)
    .map((item) => posixLocaleToTag(item.replace(/@.*$/, '')) ?? item)
    .filter((item) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(item));
}

/** Runs `defaults read -g <key>` (macOS), with a short timeout. */
export function readAppleDefault(key: 'AppleLanguages' | 'AppleLocale'): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('defaults', ['read', '-g', key], { timeout: 2000, maxBuffer: 64 * 1024 }, (error, stdout) =>
      resolve(error ? null : stdout),
    );
  });
}

/** The system's preferred languages, best first. */
export async function systemPreferences(inputs: LocaleInputs): Promise<string[]> {
  if (inputs.platform === 'darwin') {
    const read = inputs.readAppleDefault ?? readAppleDefault;
    const languages = parseAppleDefault((await read('AppleLanguages')) ?? '');
    const locale = parseAppleDefault((await read('AppleLocale')) ?? '');
    return [...languages, ...locale, ...posixPreferences(inputs.env)];
  }
  return posixPreferences(inputs.env);
}

/**
 * The agent's language. `flag` must name a shipped language (the caller reports it otherwise:
 * `null` language with source `flag`); a `REMOTE_HELP_LANGUAGE` that names none is passed over.
 */
export async function chooseLanguage(
  inputs: LocaleInputs,
): Promise<ChosenLanguage | { language: null; source: 'flag' }> {
  if (inputs.flag !== null) {
    const language = languageFromName(inputs.flag);
    return language ? { language, source: 'flag' } : { language: null, source: 'flag' };
  }
  const fromEnv = languageFromName(inputs.env['REMOTE_HELP_LANGUAGE'] ?? '');
  if (fromEnv) return { language: fromEnv, source: 'env' };
  const system = matchLanguage(await systemPreferences(inputs), SHIPPED_LANGUAGES);
  return system ? { language: system, source: 'system' } : { language: 'en', source: 'default' };
}
