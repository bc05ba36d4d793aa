/** @module identity/i18n/ja — the sign-in page in Japanese (terms: web glossary `ja.json`). */
import type { SignInStrings } from './en.js';

export const ja: SignInStrings = {
  title: 'サインイン – Remote Help',
  heading: 'サインイン',
  intro: '組織のアカウントを使用して {client} に進みます。',
  email: 'メール アドレス',
  password: 'パスワード',
  submit: 'サインイン',
  or: 'または',
  passkey: 'パスキーでサインイン',
  foot: 'このアカウントは組織によって管理されています。Remote Help がパスワードをヘルパーと共有することはありません。',
  missingFields: 'メール アドレスとパスワードを入力してください。',
};
