/**
 * @module identity/i18n/en
 * Every string of the server-rendered sign-in pages in English: the source every other catalog
 * translates (same keys, same `{placeholders}`). A value is a string, or for a count the plural
 * forms of `Intl.PluralRules` (`one`, `other`, … as the language has them; `{count}` inside).
 * Durations (`{duration}`) are formatted by `Intl.NumberFormat` in the page's language.
 */
export const en = {
  // The first page: email and password, or a passkey.
  'signIn.title': 'Sign in',
  'signIn.intro': 'Use your organization account to continue to {client}.',
  'signIn.agentClient': 'the Remote Help app',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.or': 'or',
  'signIn.passkey': 'Sign in with a passkey',
  'signIn.foot': 'Your organization manages this account. Remote Help never shares your password with helpers.',
  'signIn.missingFields': 'Enter your email and password.',
  'signIn.wrongPassword': 'Wrong email or password.',
  'signIn.wrongPasswordWait': 'Wrong email or password. Try again in {duration}.',
  'signIn.disabled': 'Your account is disabled. Contact your administrator.',
  'signIn.tooManyAttempts': 'Too many attempts. Try again in {duration}.',

  // An interaction that is gone, and the provider's own error page.
  'expired.title': 'Sign-in expired',
  'expired.heading': 'This sign-in page has expired',
  'expired.startAgain': 'Start again',
  'providerError.title': 'Sign-in error',
  'providerError.heading': 'Sign-in problem',
  'common.backToRemoteHelp': 'Back to Remote Help',

  // The second factor: authenticator code or passkey.
  'mfa.title': 'Enter code',
  'mfa.intro': 'Enter the 6-digit code shown in your authenticator app.',
  'mfa.code': 'Code',
  'mfa.recoveryHint': 'Lost your phone? Enter one of your recovery codes instead.',
  'mfa.verify': 'Verify',
  'mfa.usePasskey': 'Use a passkey',
  'mfa.passkeyTitle': 'Use your passkey',
  'mfa.passkeyIntro':
    'Confirm it’s you with a passkey you added to your account (your phone, security key or this device).',
  'mfa.codeMissing': 'Enter the code from your authenticator app.',
  'mfa.codeWrong': 'That code is not right, or was already used.',
  'mfa.codeWrongWait': 'That code is not right, or was already used. Try again in {duration}.',

  // A new password that an administrator asked for.
  'newPassword.title': 'Update your password',
  'newPassword.intro': 'Your administrator asked you to choose a new password before you continue.',
  'newPassword.label': 'New password',
  'newPassword.minLength': { one: 'Use at least {count} character.', other: 'Use at least {count} characters.' },
  'newPassword.commonRefused': 'Common passwords from leaked password lists are refused.',
  'newPassword.confirm': 'Confirm password',
  'newPassword.mismatch': 'The two passwords are not the same.',
  'newPassword.common': 'This password is too common: it appears in lists of leaked passwords.',

  // The passkey button (its script shows these when the browser cannot help) and its refusals.
  'passkey.cancelled': 'The passkey request was cancelled or timed out. Try again.',
  'passkey.failed': 'Your browser could not use a passkey here. Try again, or use another way to sign in.',
  'passkey.unsupported': 'This browser cannot use passkeys.',
  'passkey.malformed': 'Your browser did not answer with a passkey. Try again.',
  'passkey.challenge': 'This passkey request expired or was already used. Try again.',
  'passkey.origin': 'This passkey answer was made for another website.',
  'passkey.rp_id': 'This passkey belongs to another website.',
  'passkey.unknown_credential': 'This passkey is not registered with Remote Help. Sign in with your password.',
  'passkey.other_account': 'This passkey belongs to another account.',
  'passkey.user_verification': 'Your passkey did not verify that it is you (PIN or biometrics). Try again.',
  'passkey.counter':
    'This passkey’s signature counter went backwards, so it may have been copied. It was not accepted; ask your administrator.',
  'passkey.signature': 'The passkey’s signature is not valid.',
  'passkey.already_added': 'This passkey is already added.',

  // Conditional access: multi-factor set-up during sign-in, recovery codes, the blocked page.
  'gate.setupTitle': 'Set up multi-factor authentication',
  'gate.setupIntro': 'Your organization requires a second way to prove it’s you for this app. It takes a minute.',
  'gate.stepInstall':
    'Install an authenticator app on your phone (Microsoft Authenticator, Google Authenticator, or another).',
  'gate.stepScan': 'Scan the QR code with it.',
  'gate.stepCode': 'Enter the 6-digit code the app shows.',
  'gate.qrAlt': 'QR code for your authenticator app',
  'gate.cantScan': 'Can’t scan it? Enter this key in the app:',
  'gate.sameEntry': 'Use the entry you added to your authenticator app a moment ago.',
  'gate.codeLabel': 'Code from the app',
  'gate.codeWrong': 'That code is not right. Enter the 6-digit code the app shows now.',
  'gate.setupReplaced': 'This setup was replaced; start again.',
  'gate.recoveryTitle': 'Save your recovery codes',
  'gate.recoveryIntro':
    'Your authenticator app is set up. If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe; they are not shown again.',
  'gate.continue': 'Continue',
  'gate.blockedTitle': 'You can’t get to this right now',
  'gate.blockedBy': 'Blocked by your organization’s conditional access policy: {policies}.',
  'gate.policyName': '“{name}”',
  'gate.advice.block':
    'Your organization does not allow you to sign in to this app here. If you think you need it, contact your IT administrator.',
  'gate.advice.mfa':
    'Your organization requires multi-factor authentication for this app. Your IT administrator can help you set it up.',
  'gate.advice.compliantDevice': 'Your organization requires a compliant device for this app.',
  'gate.advice.enrolledDevice': 'Your organization requires a device enrolled in your organization for this app.',
  'gate.advice.signInFrequency': 'Your organization asks you to sign in again.',

  // Signing out at the provider (`/oidc/session/end`): the question, and the page after it.
  'signOut.title': 'Sign out',
  'signOut.question': 'Do you want to sign out of Remote Help?',
  'signOut.yes': 'Yes, sign me out',
  'signOut.no': 'No, stay signed in',
  'signOut.doneTitle': 'Signed out',
  'signOut.done': 'You are signed out of Remote Help.',

  // Federation: the email-first page, refusals, and the administrator's test sign-in.
  'federation.emailIntro': 'Enter your work email. If your organization signs you in, you go there next.',
  'federation.next': 'Next',
  'federation.emailMissing': 'Enter your email address.',
  'federation.refusedTitle': 'Sign-in refused',
  'federation.refusedHeading': 'We couldn’t sign you in',
  'federation.errorCode': 'Error code: {code}',
  'federation.testTitle': 'Test sign-in',
  'federation.testHeading': 'Test sign-in: {provider}',
  'federation.testIntro': 'No one was signed in and nothing was changed.',
  'federation.testOk': 'Sign-in works. This person would be signed in as shown.',
  'federation.testClaims': 'Claims from the ID token',
  'federation.error.federation_expired': 'This sign-in page has expired. Start again.',
  'federation.error.federation_email_missing':
    '{provider} sent no email address (claim "{claim}"). Ask your administrator to check the claim mapping.',
  'federation.error.federation_email_outside_domains': '{email} is not in a domain of this organization ({domains}).',
  'federation.error.federation_email_unverified_domain': '{email} is not in a verified domain of this organization.',
  'federation.error.federation_email_taken': '{email} already belongs to another account.',
  'federation.error.federation_account_disabled': 'Your account is disabled. Contact your administrator.',
  'federation.error.federation_signature_invalid': 'The sign-in token from {provider} has an invalid signature.',
  'federation.error.federation_issuer_mismatch': 'The sign-in token was not issued by {provider}’s configured issuer.',
  'federation.error.federation_audience_mismatch':
    'The sign-in token from {provider} was meant for another application.',
  'federation.error.federation_token_expired': 'The sign-in token from {provider} has expired. Try again.',
  'federation.error.federation_nonce_mismatch':
    'The sign-in token from {provider} does not belong to this sign-in (nonce).',
  'federation.error.federation_state_mismatch':
    'This sign-in response does not belong to a sign-in started in this browser (state).',
  'federation.error.federation_state_replayed': 'This sign-in response was already used or has expired. Start again.',
  'federation.error.federation_provider_error': '{provider} refused the sign-in: {detail}.',
  'federation.error.federation_provider_unreachable': '{provider} could not be reached or is misconfigured.',
  'federation.error.federation_provider_missing': 'This identity provider no longer exists.',
  'federation.error.federation_failed': 'Sign-in with {provider} failed: {detail}.',
  'federation.error.forbidden_manage': 'Your role does not allow you to manage identity providers.',
  'federation.error.forbidden_test': 'Sign in to the admin center to test a provider.',
  'federation.error.not_found': 'Identity provider not found.',
} as const;

/** Plural forms of one message, as `Intl.PluralRules` names them; `other` always. */
export type PluralMessage = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** A key of the sign-in pages' catalog. */
export type MessageKey = keyof typeof en;

/** A language's catalog: every key of English, a plural message where English has one. */
export type Catalog = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : PluralMessage };
