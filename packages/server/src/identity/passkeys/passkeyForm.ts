/**
 * @module identity/passkeys/passkeyForm
 * The passkey button of the sign-in pages: a form that carries the WebAuthn options and posts the
 * browser's answer back (`public/passkey-signin.js` fills it in), and its styles. Without
 * JavaScript or WebAuthn the form posts nothing and the page says why.
 */
import type { SignInLanguage } from '../i18n/index.js';
import { escapeHtml } from '../provider.js';
import { PASSKEY_SCRIPT_PATH } from './passkeyRoutes.js';

export interface PasskeyFormModel {
  uid: string;
  csrf: string;
  /** `PublicKeyCredentialRequestOptionsJSON`, as JSON. */
  options: string;
  /** The second factor: the signed state of the sign-in so far. Absent: sign-in without a password. */
  pending?: string;
  label: string;
  /** The page's language: the script's messages for a browser that cannot help. */
  language: SignInLanguage;
}

/** `.alt`: the passkey button beside the page's main one; `.or`: the line between them. */
export const PASSKEY_STYLE = `form.passkey button{margin-top:12px}button.alt{background:#fff;color:#242424;border:1px solid #d1d1d1;display:flex;align-items:center;justify-content:center;gap:8px}
button.alt:hover{background:#f5f5f5}.or{display:flex;align-items:center;gap:12px;margin:20px 0 0;color:#707070;font-size:13px}
.or::before,.or::after{content:"";flex:1;border-top:1px solid #e0e0e0}`;

const KEY_ICON = `<svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true"><circle cx="7" cy="7" r="3.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M9.5 9.5 16 16m-3-3 2-2m-4 0 1.5-1.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>`;

export function renderPasskeyForm(m: PasskeyFormModel): string {
  const { t } = m.language;
  const state = m.pending
    ? `<input type="hidden" name="pending" value="${escapeHtml(m.pending)}"><input type="hidden" name="step" value="passkey">`
    : `<input type="hidden" name="step" value="passkey_signin">`;
  return `<form class="passkey" method="post" action="/signin/${encodeURIComponent(m.uid)}" data-passkey-options="${escapeHtml(m.options)}" data-passkey-cancelled="${escapeHtml(t('passkey.cancelled'))}" data-passkey-failed="${escapeHtml(t('passkey.failed'))}" data-passkey-unsupported="${escapeHtml(t('passkey.unsupported'))}">
<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}">${state}<input type="hidden" name="credential" value="">
<button type="submit" class="alt">${KEY_ICON}<span>${escapeHtml(m.label)}</span></button>
<div class="error" role="alert" data-passkey-error hidden></div>
</form>
<script src="${PASSKEY_SCRIPT_PATH}" defer></script>`;
}
