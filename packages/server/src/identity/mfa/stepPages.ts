/**
 * @module identity/mfa/stepPages
 * The sign-in's later steps as plain server-rendered pages (same look and CSP as the password
 * page): the authenticator code, and a new password when an administrator asked for one; in the
 * person's language.
 */
import { PASSKEY_STYLE, renderPasskeyForm } from '../passkeys/passkeyForm.js';
import { escapeHtml } from '../provider.js';
import type { SignInLanguage } from '../i18n/index.js';
import { renderShell, STYLE } from '../signInPage.js';

export interface StepPageModel {
  uid: string;
  csrf: string;
  /** The signed state of the sign-in so far (who passed which step). */
  pending: string;
  error?: string;
  language: SignInLanguage;
}

const EXTRA_STYLE = `.hint{font-size:13px;color:#616161;margin:8px 0 0}input.code{letter-spacing:.3em;font-size:18px}`;

function shell(language: SignInLanguage, title: string, sub: string, form: string, error?: string): string {
  const alert = error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : '';
  return renderShell({
    language,
    title,
    style: `${STYLE}${EXTRA_STYLE}${PASSKEY_STYLE}`,
    body: `<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(sub)}</p>
${form.replace('<!--error-->', alert)}`,
  });
}

const hidden = (m: StepPageModel, step: string) =>
  `<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}"><input type="hidden" name="pending" value="${escapeHtml(m.pending)}"><input type="hidden" name="step" value="${step}">`;

/**
 * The second step. `totp`: the person has an authenticator app (the code form; the default);
 * `passkeyOptions`: they have passkeys (a "Use a passkey" button, beside the code or alone).
 */
export function renderMfaPage(m: StepPageModel & { totp?: boolean; passkeyOptions?: string }): string {
  const { t } = m.language;
  const passkey = m.passkeyOptions
    ? renderPasskeyForm({
        uid: m.uid,
        csrf: m.csrf,
        pending: m.pending,
        options: m.passkeyOptions,
        label: t('mfa.usePasskey'),
        language: m.language,
      })
    : '';
  if (m.totp === false && passkey) {
    return shell(m.language, t('mfa.passkeyTitle'), t('mfa.passkeyIntro'), `<!--error-->\n${passkey}`, m.error);
  }
  return shell(
    m.language,
    t('mfa.title'),
    t('mfa.intro'),
    `<form method="post" action="/signin/${encodeURIComponent(m.uid)}" autocomplete="off">
${hidden(m, 'mfa')}
<label for="code">${escapeHtml(t('mfa.code'))}</label>
<input id="code" class="code" name="code" dir="ltr" inputmode="numeric" autocomplete="one-time-code" required maxlength="16" autofocus>
<p class="hint">${escapeHtml(t('mfa.recoveryHint'))}</p>
<!--error-->
<button type="submit">${escapeHtml(t('mfa.verify'))}</button>
</form>${passkey ? `\n<div class="or">${escapeHtml(t('signIn.or'))}</div>\n${passkey}` : ''}`,
    m.error,
  );
}

export function renderNewPasswordPage(m: StepPageModel & { minLength: number }): string {
  const { t } = m.language;
  const hint = `${t('newPassword.minLength', { count: m.minLength })} ${t('newPassword.commonRefused')}`;
  return shell(
    m.language,
    t('newPassword.title'),
    t('newPassword.intro'),
    `<form method="post" action="/signin/${encodeURIComponent(m.uid)}">
${hidden(m, 'new_password')}
<label for="newPassword">${escapeHtml(t('newPassword.label'))}</label>
<input id="newPassword" name="newPassword" type="password" dir="ltr" autocomplete="new-password" required minlength="${m.minLength}" maxlength="256" autofocus>
<p class="hint">${escapeHtml(hint)}</p>
<label for="confirmPassword">${escapeHtml(t('newPassword.confirm'))}</label>
<input id="confirmPassword" name="confirmPassword" type="password" dir="ltr" autocomplete="new-password" required maxlength="256">
<!--error-->
<button type="submit">${escapeHtml(t('signIn.submit'))}</button>
</form>`,
    m.error,
  );
}
