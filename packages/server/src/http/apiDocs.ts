/**
 * @module http/apiDocs
 * `GET /api/openapi.json` (the contract as OpenAPI 3.1) and `GET /api/docs` (a page that
 * lists it, rendered here: no scripts, no CDN, one stylesheet allowed by its hash).
 */
import { createHash } from 'node:crypto';
import type { Endpoint } from '@remote-help/protocol';
import {
  ENDPOINTS,
  PROTOCOL_VERSION,
  describePermission,
  isSchemaResponse,
  jsonSchemaOf,
  openApiDocument,
} from '@remote-help/protocol';
import type { FastifyInstance } from 'fastify';
import { registerEndpoints } from './endpoint.js';

const CSS = `
:root{color-scheme:light dark;--fg:#242424;--muted:#616161;--bg:#fafafa;--card:#fff;--line:#e0e0e0;--brand:#0f6cbd}
@media (prefers-color-scheme:dark){:root{--fg:#f0f0f0;--muted:#adadad;--bg:#1f1f1f;--card:#292929;--line:#3d3d3d;--brand:#479ef5}}
body{margin:0;font:14px/1.45 "Segoe UI",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px;background:var(--brand);color:#fff}header h1{margin:0;font-size:22px;font-weight:600}
header p{margin:4px 0 0;opacity:.9}header a{color:#fff}
main{display:grid;grid-template-columns:240px 1fr;gap:24px;padding:24px 32px;max-width:1400px}
nav{position:sticky;top:16px;align-self:start;font-size:13px}nav h2{font-size:12px;text-transform:uppercase;color:var(--muted);margin:16px 0 4px}
nav a{display:block;padding:2px 0;color:var(--fg);text-decoration:none}nav a:hover{color:var(--brand)}
section.op{background:var(--card);border:1px solid var(--line);border-radius:8px;margin:0 0 16px;padding:16px 20px}
h2.tag{font-size:18px;margin:8px 0 12px}
.line{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.method{font:600 12px/1 ui-monospace,monospace;padding:4px 8px;border-radius:4px;color:#fff;min-width:44px;text-align:center}
.GET{background:#107c10}.POST{background:#0f6cbd}.PUT,.PATCH{background:#8764b8}.DELETE{background:#c50f1f}
code.path{font:600 14px ui-monospace,monospace}
.summary{color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0 0}dt{color:var(--muted)}dd{margin:0}
.pill{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:12px}
details{margin-top:10px}summary{cursor:pointer;color:var(--brand)}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;font-size:12px;max-height:360px}
`;
const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** The page's policy: nothing runs, nothing loads, only this stylesheet applies. */
export const DOCS_CSP = [
  "default-src 'none'",
  `style-src ${CSS_HASH}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Markdown-ish `code` spans of the contract's texts, escaped. */
const prose = (s: string): string => escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const CALLERS: Record<Endpoint['caller'], string> = {
  public: 'anyone',
  enrollmentToken: 'enrollment token (no person)',
  user: 'signed-in person (cookie or bearer)',
  agent: 'native agent (bearer)',
  device: 'enrolled device (device proof)',
  agentAndDevice: 'native agent (bearer) on the device (proof)',
};

function schemaBlock(title: string, json: unknown): string {
  return `<details><summary>${escape(title)}</summary><pre>${escape(JSON.stringify(json, null, 2))}</pre></details>`;
}

function operation(e: Endpoint): string {
  const rows: string[] = [`<dt>Who</dt><dd>${escape(CALLERS[e.caller])}</dd>`];
  if (e.permission) {
    const names = [...(e.permission.all ?? []), ...(e.permission.any ?? [])];
    rows.push(
      `<dt>Permission</dt><dd>${names.map((p) => `<span class="pill">${escape(p)}</span>`).join('')} ${prose(describePermission(e.permission))}</dd>`,
    );
  }
  if (e.participant) rows.push(`<dt>Participant</dt><dd>${escape(e.participant)}</dd>`);
  if (e.command && (e.caller === 'user' || e.caller === 'agent'))
    rows.push('<dt>Command</dt><dd>cookie callers send <code>x-csrf-token</code>; any Origin must be ours</dd>');
  const reply =
    e.response === null ? '204 No Content' : isSchemaResponse(e.response) ? `${e.status} JSON` : e.response.contentType;
  rows.push(`<dt>Reply</dt><dd>${escape(reply)}</dd>`);
  const schemas = [
    e.params ? schemaBlock('Path parameters', jsonSchemaOf(e.params, 'input')) : '',
    e.query ? schemaBlock('Query', jsonSchemaOf(e.query, 'input')) : '',
    e.body ? schemaBlock('Request body', jsonSchemaOf(e.body, 'input')) : '',
    e.response && isSchemaResponse(e.response) ? schemaBlock('Response', jsonSchemaOf(e.response, 'output')) : '',
  ].join('');
  return `<section class="op" id="${escape(e.name)}">
<div class="line"><span class="method ${e.method}">${e.method}</span><code class="path">${escape(e.path)}</code><span class="summary">${prose(e.summary)}</span></div>
${e.description ? `<p>${prose(e.description)}</p>` : ''}<dl>${rows.join('')}</dl>${schemas}</section>`;
}

/** The whole page. */
export function apiDocsPage(): string {
  const tags = [...new Set(ENDPOINTS.map((e) => e.tag))];
  const nav = tags
    .map(
      (tag) =>
        `<h2>${escape(tag)}</h2>${ENDPOINTS.filter((e) => e.tag === tag)
          .map((e) => `<a href="#${escape(e.name)}">${e.method} ${escape(e.path)}</a>`)
          .join('')}`,
    )
    .join('');
  const body = tags
    .map(
      (tag) =>
        `<h2 class="tag">${escape(tag)}</h2>${ENDPOINTS.filter((e) => e.tag === tag)
          .map(operation)
          .join('')}`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>remote-help API</title><style>${CSS}</style></head><body>
<header><h1>remote-help API</h1><p>Every endpoint under <code>/api</code>, generated from the contract. Machine-readable: <a href="/api/openapi.json">OpenAPI 3.1</a>. Errors are always <code>{ ok: false, error, message, data? }</code>.</p></header>
<main><nav>${nav}</nav><div>${body}</div></main></body></html>`;
}

export async function apiDocsRoutes(
  app: FastifyInstance,
  o: { publicUrl: string; publicOrigin: string },
): Promise<void> {
  const document = openApiDocument({ version: String(PROTOCOL_VERSION), serverUrl: o.publicUrl });
  const page = apiDocsPage();
  registerEndpoints(app, o, {
    getOpenApi: async () => document as { openapi: string; info: { title: string; version: string } },
    getApiDocs: async ({ reply }) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', DOCS_CSP)
        .header('cache-control', 'no-cache')
        .send(page),
  });
}
