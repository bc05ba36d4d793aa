/**
 * @module identity/signInPage
 * The embedded IdP's own sign-in page (its "interaction"). Plain server-rendered HTML:
 * it must work before any app code loads, and it never shows anything but a form. In the
 * person's language (`i18n/`: the web app's `ui_locales`, else `Accept-Language`), right to
 * left for Arabic and Hebrew.
 */
import { ENGLISH, type SignInLanguage } from './i18n/index.js';
import { PASSKEY_STYLE, renderPasskeyForm } from './passkeys/passkeyForm.js';
import { escapeHtml } from './provider.js';

export interface SignInPageModel {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
  /** "Sign in with a passkey": the WebAuthn options (JSON) for any discoverable passkey. */
  passkeyOptions?: string;
  /** The page's language; English when not given. */
  language?: SignInLanguage;
}

/** The sign-in pages' styles (also the multi-factor and new-password steps'). */
export const STYLE = `
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f5f5f5;
font-family:"Segoe UI","Segoe UI Web (West European)",system-ui,-apple-system,Roboto,"Helvetica Neue",sans-serif;color:#242424}
main{width:min(440px,calc(100vw - 32px));background:#fff;border-radius:8px;box-shadow:0 2px 4px rgba(0,0,0,.14),0 0 2px rgba(0,0,0,.12);padding:44px}
.brand{display:flex;align-items:center;gap:10px;font-weight:600;font-size:15px;margin-bottom:24px}
h1{font-size:24px;font-weight:600;margin:0 0 6px}p.sub{margin:0 0 24px;color:#616161;font-size:14px}
label{display:block;font-size:14px;font-weight:600;margin:16px 0 6px}
input{width:100%;font:inherit;font-size:14px;padding:8px 10px;border:1px solid #d1d1d1;border-bottom-color:#616161;border-radius:4px}
input:focus{outline:2px solid #0f6cbd;outline-offset:1px}
button{margin-top:28px;width:100%;font:inherit;font-weight:600;font-size:14px;padding:9px 12px;border:0;border-radius:4px;background:#0f6cbd;color:#fff;cursor:pointer}
button:hover{background:#115ea3}button:focus-visible{outline:2px solid #242424;outline-offset:2px}
.error{margin-top:16px;padding:10px 12px;border-radius:4px;background:#fdf3f4;color:#b10e1c;border:1px solid #eeacb2;font-size:14px}
.foot{margin-top:24px;font-size:12px;color:#707070}`;

export const LOGO = `<svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true"><rect width="28" height="28" rx="6" fill="#0f6cbd"/><path d="M7 9h14v9H7z" fill="none" stroke="#fff" stroke-width="2"/><path d="M11 21h6" stroke="#fff" stroke-width="2" stroke-linecap="round"/><circle cx="14" cy="13.5" r="2" fill="#fff"/></svg>`;

/**
 * A whole sign-in page: `<html lang dir>` of the person's language, the title (`… – Remote Help`),
 * the brand and `body`. Every sign-in page is this shell (also the later steps', the blocked page's
 * and federation's), so none can forget the language or the direction.
 */
export function renderShell(p: { language: SignInLanguage; title: string; style: string; body: string }): string {
  return `<!doctype html>
<html lang="${p.language.tag}" dir="${p.language.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(p.title)} – Remote Help</title><style>${p.style}</style></head>
<body><main>
<div class="brand">${LOGO}<span>Remote Help</span></div>
${p.body}
</main></body></html>`;
}

export function renderSignInPage(m: SignInPageModel): string {
  const language = m.language ?? ENGLISH;
  const { t } = language;
  const error = m.error ? `<div class="error" role="alert">${escapeHtml(m.error)}</div>` : '';
  const passkey = m.passkeyOptions
    ? `<div class="or">${escapeHtml(t('signIn.or'))}</div>\n${renderPasskeyForm({ uid: m.uid, csrf: m.csrf, options: m.passkeyOptions, label: t('signIn.passkey'), language })}`
    : '';
  return renderShell({
    language,
    title: t('signIn.title'),
    style: `${STYLE}${m.passkeyOptions ? PASSKEY_STYLE : ''}`,
    body: `<h1>${escapeHtml(t('signIn.title'))}</h1><p class="sub">${escapeHtml(t('signIn.intro', { client: m.clientName }))}</p>
<form method="post" action="/signin/${encodeURIComponent(m.uid)}" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}">
<label for="email">${escapeHtml(t('signIn.email'))}</label>
<input id="email" name="email" type="email" dir="ltr" autocomplete="username" required maxlength="254" value="${escapeHtml(m.email ?? '')}" ${m.email ? '' : 'autofocus'}>
<label for="password">${escapeHtml(t('signIn.password'))}</label>
<input id="password" name="password" type="password" dir="ltr" autocomplete="current-password" required maxlength="256" ${m.email ? 'autofocus' : ''}>
${error}
<button type="submit">${escapeHtml(t('signIn.submit'))}</button>
</form>
${passkey}
<p class="foot">${escapeHtml(t('signIn.foot'))}</p>`,
  });
}
