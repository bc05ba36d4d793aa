/**
 * A help session through the example nginx configuration (docs/deploy/nginx.conf): Debian's
 * nginx terminates TLS for `https://rh.test:<port>` with a certificate from a test CA and
 * proxies to the built server started here with `TRUST_PROXY=1`. Chromium resolves `rh.test`
 * to 127.0.0.1 and accepts exactly that certificate's key. Helper and sharer sign in, pair
 * with a code and view the screen over `wss://` through nginx; a typed `http://` address is
 * sent to https by the port-80 block.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import config from '../playwright.config.js';
import { makeCertificates } from '../packages/server/src/test/certificates.js';
import { startNginx, type RunningNginx } from '../packages/server/src/test/nginx.js';
import { PASSWORD, framesDecoded, shot, signIn, startViewing } from './support.js';

const HOST = 'rh.test';
// Starts its own server and nginx before the first journey: more than the default 90 s on a loaded machine.
test.describe.configure({ timeout: 180_000 });
let dir: string;
let server: ChildProcess | undefined;
let nginx: RunningNginx | undefined;
let browser: Browser | undefined;
let publicUrl: string;
let httpPort: number;

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** base64(SHA-256(SubjectPublicKeyInfo)): what `--ignore-certificate-errors-spki-list` names. */
function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-e2e-nginx-'));
  const certs = makeCertificates(dir, HOST);
  const [httpsPort, upstreamPort] = [await freePort(), await freePort()];
  httpPort = await freePort();
  publicUrl = `https://${HOST}:${httpsPort}`;
  server = spawn(process.execPath, ['packages/server/dist/main.js'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(upstreamPort),
      PUBLIC_URL: publicUrl,
      TRUST_PROXY: '1',
      DATABASE_URL: `sqlite:${join(dir, 'e2e.db')}`,
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await expect
    .poll(
      () =>
        fetch(`http://127.0.0.1:${upstreamPort}/readyz`).then(
          (r) => r.status,
          () => 0,
        ),
      { timeout: 30_000 },
    )
    .toBe(200);
  nginx = await startNginx({
    dir,
    host: HOST,
    httpsPort,
    httpPort,
    upstreamPort,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
  });
  const launch = config.use?.launchOptions ?? {};
  browser = await chromium.launch({
    ...launch,
    args: [
      ...(launch.args ?? []),
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
      `--ignore-certificate-errors-spki-list=${spkiHash(certs.certFile)}`,
    ],
  });
});

test.afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  if (server && server.exitCode === null) {
    const exited = new Promise((done) => server?.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(): Promise<{ page: Page; sockets: string[] }> {
  const context = await browser!.newContext({ baseURL: publicUrl, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  return { page, sockets };
}

test('a helper and a sharer complete a session through nginx over https and wss', async () => {
  const { page: helper, sockets } = await openPage();
  const { page: sharer } = await openPage();
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = (await codeBox.textContent())!.replace(/\D/g, '');

  await signIn(sharer, '/share', 'sharer@contoso.example');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper.getByTestId('peer-card')).toContainText('Lena Fischer');
  await expect(sharer.getByTestId('peer-card')).toContainText('Daniel Okafor');

  await startViewing({ helper, sharer, code });
  const first = await framesDecoded(helper);
  await expect.poll(() => framesDecoded(helper), { timeout: 10_000 }).toBeGreaterThan(first);
  await shot(helper, 'proxy-01-helper-viewing-through-nginx');
  expect(sockets.length).toBeGreaterThan(0);
  for (const url of sockets) expect(url).toBe(`wss://${HOST}:${new URL(publicUrl).port}/api/v1/ws`);

  await sharer.getByRole('button', { name: 'Leave' }).first().click();
  await expect(helper.getByTestId('session-ended')).toBeVisible();
  await helper.context().close();
  await sharer.context().close();
});

test('a typed http:// address lands on the https page', async () => {
  const { page } = await openPage();
  await page.goto(`http://${HOST}:${httpPort}/share?from=typed`);
  expect(page.url()).toBe(`${publicUrl}/share?from=typed`);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await shot(page, 'proxy-02-typed-http-address');
  await page.context().close();
});
