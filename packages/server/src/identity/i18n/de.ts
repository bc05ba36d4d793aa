/** @module identity/i18n/de — the sign-in page in German (terms: web glossary `de.json`). */
import type { SignInStrings } from './en.js';

export const de: SignInStrings = {
  title: 'Anmelden – Remote Help',
  heading: 'Anmelden',
  intro: 'Verwenden Sie Ihr Organisationskonto, um mit {client} fortzufahren.',
  email: 'E-Mail',
  password: 'Kennwort',
  submit: 'Anmelden',
  or: 'oder',
  passkey: 'Mit einem Passkey anmelden',
  foot: 'Dieses Konto wird von Ihrer Organisation verwaltet. Remote Help gibt Ihr Kennwort nie an Helfer weiter.',
  missingFields: 'Geben Sie Ihre E-Mail-Adresse und Ihr Kennwort ein.',
};
