/**
 * @module downloads/routes
 * `GET /download`: a page listing the agent packages (version, size, SHA-256) with install
 * notes; `GET /download/packages.json`: the same list for tools; `GET /download/<file>`: the
 * package itself, as an attachment with its content type. Public, like the landing page: the
 * agent is needed before anyone signs in, and the packages hold no secrets.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { agentPackagesDir, CONTENT_TYPES, PackageShelf, type AgentPackage } from './packages.js';

const CSS = `
:root{color-scheme:light dark;--fg:#242424;--muted:#616161;--bg:#fafafa;--card:#fff;--line:#e0e0e0;--brand:#0f6cbd}
@media (prefers-color-scheme:dark){:root{--fg:#f0f0f0;--muted:#adadad;--bg:#1f1f1f;--card:#292929;--line:#3d3d3d;--brand:#479ef5}}
body{margin:0;font:14px/1.5 "Segoe UI",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 32px;background:var(--brand);color:#fff}header h1{margin:0;font-size:22px;font-weight:600}
main{padding:24px 32px;max-width:1100px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}a{color:var(--brand)}
code{font:12px ui-monospace,monospace;word-break:break-all}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto}
`;
const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** Nothing runs, nothing loads, only this stylesheet applies. */
export const DOWNLOAD_CSP = [
  "default-src 'none'",
  `style-src ${CSS_HASH}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The download page (English, server-rendered, no scripts). */
export function downloadPage(packages: AgentPackage[], publicOrigin: string): string {
  const rows = packages
    .map(
      (p) =>
        `<tr><td><a href="/download/${encodeURIComponent(p.file)}" download>${escape(p.file)}</a></td>` +
        `<td>${escape(p.platform)}</td><td>${escape(p.version)}</td><td>${megabytes(p.size)}</td>` +
        `<td><code>${p.sha256}</code></td></tr>`,
    )
    .join('\n');
  const table = packages.length
    ? `<table><thead><tr><th>File</th><th>For</th><th>Version</th><th>Size</th><th>SHA-256</th></tr></thead>\n<tbody>${rows}</tbody></table>`
    : '<p>No packages are published on this server yet. Ask your administrator.</p>';
  const server = escape(publicOrigin);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Download Remote Help</title><style>${CSS}</style></head>
<body><header><h1>Download the Remote Help app</h1></header>
<main>
<p>The Remote Help app lets a helper of your organization see your screen and, only if you allow it, use your mouse and keyboard.</p>
${table}
<h2>Install</h2>
<p><strong>Debian, Ubuntu:</strong> <code>sudo apt install ./remote-help-agent_VERSION_amd64.deb</code>, then open <em>Remote Help</em> from your applications.</p>
<p><strong>macOS:</strong> unzip, move <em>Remote Help</em> to Applications and open it; allow Screen Recording and Accessibility when asked.</p>
<p>Check a download: <code>sha256sum FILE</code> (Linux) or <code>shasum -a 256 FILE</code> (macOS) prints the SHA-256 above.</p>
<h2>For administrators</h2>
<p>To deploy with Intune, Jamf or your configuration tool, put <code>{"server": "${server}", "enrollmentToken": "…"}</code>
in <code>/etc/remote-help/agent.json</code> (Linux) or <code>/Library/Application Support/Remote Help/agent.json</code> (macOS).
The list as JSON: <a href="/download/packages.json">/download/packages.json</a>.</p>
</main></body></html>`;
}

/** Registers the download routes for the packages in `dir` (default: `AGENT_PACKAGES_DIR`, see `agentPackagesDir`). */
export async function downloadRoutes(app: FastifyInstance, o: { dir?: string; publicOrigin: string }): Promise<void> {
  const shelf = new PackageShelf(o.dir ?? agentPackagesDir());

  app.get('/download', async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DOWNLOAD_CSP)
      .header('cache-control', 'no-cache')
      .send(downloadPage(await shelf.list(), o.publicOrigin)),
  );

  app.get('/download/packages.json', async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send({ packages: await shelf.list() }),
  );

  app.get<{ Params: { file: string } }>('/download/:file', async (request, reply) => {
    const item = await shelf.find(request.params.file);
    if (!item) {
      return reply.code(404).type('text/plain; charset=utf-8').send('No such package. See /download for the list.');
    }
    return reply
      .header('content-type', CONTENT_TYPES[item.kind])
      .header('content-length', String(item.size))
      .header('content-disposition', `attachment; filename="${item.file}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .header('etag', `"${item.sha256}"`)
      .send(createReadStream(shelf.pathOf(item)));
  });
}
