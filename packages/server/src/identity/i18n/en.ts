/**
 * @module identity/i18n/en
 * The sign-in page's strings in English, the reference every other catalog translates.
 */
export const en = {
  title: 'Sign in – Remote Help',
  heading: 'Sign in',
  intro: 'Use your organization account to continue to {client}.',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  or: 'or',
  passkey: 'Sign in with a passkey',
  foot: 'Your organization manages this account. Remote Help never shares your password with helpers.',
  missingFields: 'Enter your email and password.',
};

export type SignInStrings = typeof en;
