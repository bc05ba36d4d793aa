/**
 * @module identity/federation/pages
 * Server-rendered pages of federation: the email-first page of home-realm discovery, the
 * refusal page (a typed code and words for a person) and the administrator's test sign-in result.
 * Same look as the embedded sign-in page; no script (strict CSP).
 */
import { en, type MessageKey } from '../i18n/en.js';
import type { SignInLanguage } from '../i18n/index.js';
import { escapeHtml } from '../provider.js';
import type { FederationError } from './jit.js';

const STYLE = `
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f5f5f5;
font-family:"Segoe UI",system-ui,-apple-system,Roboto,"Helvetica Neue",sans-serif;color:#242424}
main{width:min(560px,calc(100vw - 32px));background:#fff;border-radius:8px;box-shadow:0 2px 4px rgba(0,0,0,.14),0 0 2px rgba(0,0,0,.12);padding:44px}
.brand{display:flex;align-items:center;gap:10px;font-weight:600;font-size:15px;margin-bottom:24px}
h1{font-size:24px;font-weight:600;margin:0 0 6px}p.sub{margin:0 0 24px;color:#616161;font-size:14px}
label{display:block;font-size:14px;font-weight:600;margin:16px 0 6px}
input{width:100%;font:inherit;font-size:14px;padding:8px 10px;border:1px solid #d1d1d1;border-bottom-color:#616161;border-radius:4px}
button{margin-top:28px;width:100%;font:inherit;font-weight:600;font-size:14px;padding:9px 12px;border:0;border-radius:4px;background:#0f6cbd;color:#fff;cursor:pointer}
.error{margin-top:16px;padding:10px 12px;border-radius:4px;background:#fdf3f4;color:#b10e1c;border:1px solid #eeacb2;font-size:14px}
.ok{margin-top:16px;padding:10px 12px;border-radius:4px;background:#f1faf1;color:#0e700e;border:1px solid #9fd89f;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px;margin-top:12px}th,td{text-align:start;padding:6px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top;word-break:break-all}
code{font-size:12px}a{color:#0f6cbd}.foot{margin-top:24px;font-size:12px;color:#707070}`;

/** The page in the person's language and direction (`i18n/`), the brand without the logo as before. */
const shell = (language: SignInLanguage, title: string, body: string) => `<!doctype html>
<html lang="${language.tag}" dir="${language.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} – Remote Help</title><style>${STYLE}</style></head>
<body><main><div class="brand"><span>Remote Help</span></div>${body}</main></body></html>`;

/** A refusal's words in the person's language: its catalog message when it has one, else its (English) message. */
export function federationErrorText(error: FederationError, language: SignInLanguage): string {
  const key = `federation.error.${error.key}`;
  return key in en ? language.t(key as MessageKey, error.params) : error.message;
}

export function renderEmailPage(m: {
  uid: string;
  csrf: string;
  email?: string;
  error?: string;
  language: SignInLanguage;
}): string {
  const { t } = m.language;
  const error = m.error ? `<div class="error" role="alert">${escapeHtml(m.error)}</div>` : '';
  return shell(
    m.language,
    t('signIn.title'),
    `<h1>${escapeHtml(t('signIn.title'))}</h1><p class="sub">${escapeHtml(t('federation.emailIntro'))}</p>
<form method="post" action="/signin/${encodeURIComponent(m.uid)}/email">
<input type="hidden" name="csrf" value="${escapeHtml(m.csrf)}">
<label for="email">${escapeHtml(t('signIn.email'))}</label>
<input id="email" name="email" type="email" dir="ltr" autocomplete="username" required maxlength="254" autofocus value="${escapeHtml(m.email ?? '')}">
${error}
<button type="submit">${escapeHtml(t('federation.next'))}</button>
</form>`,
  );
}

/** A refused federated sign-in: `data-error` carries the typed code (tests and support read it). */
export function renderFederationError(error: FederationError, again: string, language: SignInLanguage): string {
  const { t } = language;
  const code = `<code dir="ltr">${escapeHtml(error.code)}</code>`;
  // The code goes in after escaping the sentence around it: `{code}` is markup, the rest text.
  const codeLine = escapeHtml(t('federation.errorCode')).replace('{code}', code);
  return shell(
    language,
    t('federation.refusedTitle'),
    `<h1>${escapeHtml(t('federation.refusedHeading'))}</h1>
<div class="error" role="alert" data-error="${escapeHtml(error.code)}">${escapeHtml(federationErrorText(error, language))}</div>
<p class="foot">${codeLine}</p>
<p><a href="${escapeHtml(again)}">${escapeHtml(t('expired.startAgain'))}</a></p>`,
  );
}

export function renderTestResult(m: {
  provider: string;
  mapped: Record<string, unknown>;
  verdict: FederationError | null;
  raw: Record<string, unknown>;
  language: SignInLanguage;
}): string {
  const { t } = m.language;
  const rows = Object.entries(m.mapped)
    .map(
      ([k, v]) =>
        `<tr><th scope="row">${escapeHtml(k)}</th><td data-claim="${escapeHtml(k)}" dir="auto">${escapeHtml(
          Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '—' : String(v),
        )}</td></tr>`,
    )
    .join('');
  const verdict = m.verdict
    ? `<div class="error" role="alert" data-verdict="refused">${escapeHtml(federationErrorText(m.verdict, m.language))}</div>`
    : `<div class="ok" role="status" data-verdict="ok">${escapeHtml(t('federation.testOk'))}</div>`;
  return shell(
    m.language,
    t('federation.testTitle'),
    `<h1>${escapeHtml(t('federation.testHeading', { provider: m.provider }))}</h1><p class="sub">${escapeHtml(t('federation.testIntro'))}</p>
${verdict}
<table dir="ltr"><tbody>${rows}</tbody></table>
<details><summary>${escapeHtml(t('federation.testClaims'))}</summary><pre dir="ltr"><code>${escapeHtml(JSON.stringify(m.raw, null, 2))}</code></pre></details>`,
  );
}
