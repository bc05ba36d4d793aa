/**
 * @module identity/mfa/stepPages
 * The sign-in's later steps as plain server-rendered pages (same look and CSP as the password
 * page): the authenticator code, and a new password when an administrator asked for one.
 */
import { PASSKEY_STYLE, renderPasskeyForm } from '../passkeys/passkeyForm.js';
import { escapeHtml } from '../provider.js';
import { LOGO, STYLE } from '../signInPage.js';

export interface StepPageModel {
  uid: string;
  csrf: string;
  /** The signed state of the sign-in so far (who passed which step). */
  pending: string;
  error?: string;
}

const EXTRA_STYLE = `.hint{font-size:13px;color:#616161;margin:8px 0 0}input.code{letter-spacing:.3em;font-size:18px}`;

function shell(title: string, sub: string, form: string, error?: string): string {
  const alert = error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} – Remote Help</title><style>${STYLE}${EXTRA_STYLE}${PASSKEY_STYLE}</style></head>
<body><main>
<div class="brand">${LOGO}<span>Remote Help</span></div>
<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(sub)}</p>
${form.replace('<!--error-->', alert)}
</main></body></html>`;
}

const hidden = (m: StepPageModel, step: string) =>
  `<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}"><input type="hidden" name="pending" value="${escapeHtml(m.pending)}"><input type="hidden" name="step" value="${step}">`;

/**
 * The second step. `totp`: the person has an authenticator app (the code form; the default);
 * `passkeyOptions`: they have passkeys (a "Use a passkey" button, beside the code or alone).
 */
export function renderMfaPage(m: StepPageModel & { totp?: boolean; passkeyOptions?: string }): string {
  const passkey = m.passkeyOptions
    ? renderPasskeyForm({
        uid: m.uid,
        csrf: m.csrf,
        pending: m.pending,
        options: m.passkeyOptions,
        label: 'Use a passkey',
      })
    : '';
  if (m.totp === false && passkey) {
    return shell(
      'Use your passkey',
      'Confirm it’s you with a passkey you added to your account (your phone, security key or this device).',
      `<!--error-->\n${passkey}`,
      m.error,
    );
  }
  return shell(
    'Enter code',
    'Enter the 6-digit code shown in your authenticator app.',
    `<form method="post" action="/signin/${encodeURIComponent(m.uid)}" autocomplete="off">
${hidden(m, 'mfa')}
<label for="code">Code</label>
<input id="code" class="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="16" autofocus>
<p class="hint">Lost your phone? Enter one of your recovery codes instead.</p>
<!--error-->
<button type="submit">Verify</button>
</form>${passkey ? `\n<div class="or">or</div>\n${passkey}` : ''}`,
    m.error,
  );
}

export function renderNewPasswordPage(m: StepPageModel & { minLength: number }): string {
  return shell(
    'Update your password',
    'Your administrator asked you to choose a new password before you continue.',
    `<form method="post" action="/signin/${encodeURIComponent(m.uid)}">
${hidden(m, 'new_password')}
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="${m.minLength}" maxlength="256" autofocus>
<p class="hint">At least ${m.minLength} characters. Common passwords from leaked password lists are refused.</p>
<label for="confirmPassword">Confirm password</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required maxlength="256">
<!--error-->
<button type="submit">Sign in</button>
</form>`,
    m.error,
  );
}
