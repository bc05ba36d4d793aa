/**
 * @module identity/signInPage
 * The embedded IdP's own sign-in page (its "interaction"). Plain server-rendered HTML:
 * it must work before any app code loads, and it never shows anything but a form.
 */
import { escapeHtml } from './provider.js';

export interface SignInPageModel {
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  error?: string;
}

const STYLE = `
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

const LOGO = `<svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true"><rect width="28" height="28" rx="6" fill="#0f6cbd"/><path d="M7 9h14v9H7z" fill="none" stroke="#fff" stroke-width="2"/><path d="M11 21h6" stroke="#fff" stroke-width="2" stroke-linecap="round"/><circle cx="14" cy="13.5" r="2" fill="#fff"/></svg>`;

export function renderSignInPage(m: SignInPageModel): string {
  const error = m.error ? `<div class="error" role="alert">${escapeHtml(m.error)}</div>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in – Remote Help</title><style>${STYLE}</style></head>
<body><main>
<div class="brand">${LOGO}<span>Remote Help</span></div>
<h1>Sign in</h1><p class="sub">Use your organization account to continue to ${escapeHtml(m.clientName)}.</p>
<form method="post" action="/signin/${encodeURIComponent(m.uid)}" autocomplete="on">
<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(m.email ?? '')}" ${m.email ? '' : 'autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256" ${m.email ? 'autofocus' : ''}>
${error}
<button type="submit">Sign in</button>
</form>
<p class="foot">Your organization manages this account. Remote Help never shares your password with helpers.</p>
</main></body></html>`;
}
