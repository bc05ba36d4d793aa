/** @module identity/i18n/ar — the sign-in page in Arabic, right to left (terms: web glossary `ar.json`). */
import type { SignInStrings } from './en.js';

export const ar: SignInStrings = {
  title: 'تسجيل الدخول – Remote Help',
  heading: 'تسجيل الدخول',
  intro: 'استخدم حساب مؤسستك للمتابعة إلى {client}.',
  email: 'البريد الإلكتروني',
  password: 'كلمة المرور',
  submit: 'تسجيل الدخول',
  or: 'أو',
  passkey: 'تسجيل الدخول باستخدام مفتاح مرور',
  foot: 'تدير مؤسستك هذا الحساب. لا يشارك Remote Help كلمة مرورك مع المساعدين أبدًا.',
  missingFields: 'أدخل بريدك الإلكتروني وكلمة المرور.',
};
