/**
 * Tenant administration > Domains, as the demo administrator uses it, against a real DNS server:
 * the journey starts a DNS server on 127.0.0.1 (UDP, a free port; `packages/server/src/test/dnsServer.ts`)
 * and its own server whose resolver is that one (`DNS_SERVERS`: the shared e2e server cannot be
 * pointed at a server this process starts). The administrator sees the demo's domain as asserted,
 * adds a domain and sees the TXT record to publish (the Copy button copies the value shown),
 * verifies too early (no record: said so), publishes a wrong value (said so), then the right one,
 * and the page shows the domain verified by DNS. A person of that domain then shows "Verified"
 * on the helper's trust screen, while the helper (of the demo's asserted domain) shows
 * "Domain asserted by the administrator" on theirs; the domain in use cannot be removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import type { TestDnsServer } from '../packages/server/src/test/dnsServer.js';
import { startDnsServer } from '../packages/server/src/test/dnsServer.js';
import { closeContexts, PASSWORD, shot, signIn } from './support.js';

test.afterEach(closeContexts);

// Pages load lazily and the shared box is often busy: wait longer than the default for each step.
const expect = baseExpect.configure({ timeout: 30_000 });

const DOMAIN = 'northwind-traders.example';
const PERSON = { email: `ana.lopez@${DOMAIN}`, name: 'Ana López', password: 'northwind e2e journey password' };

let dns: TestDnsServer;
let server: ChildProcess | undefined;
let url = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

test.beforeAll(async () => {
  dns = await startDnsServer();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  let output = '';
  server = spawn(process.execPath, ['scripts/e2e-server.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      DNS_SERVERS: dns.address,
      DNS_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await baseExpect
    .poll(
      async () => {
        if (server?.exitCode !== null) throw new Error(`the journey's server exited: ${output}`);
        return fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeout: 60_000 },
    )
    .toBe(true);
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await dns?.stop();
});

/** Signs in with a password of one's own through the embedded IdP's page. */
async function signInWith(page: Page, path: string, email: string, password: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === path);
}

test('an administrator adds a domain, publishes its TXT record and verifies it by DNS', async ({ browser }) => {
  test.setTimeout(420_000);
  const adminContext = await browser.newContext({ baseURL: url });
  await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const admin = await adminContext.newPage();
  await signIn(admin, '/admin/tenant/domains', 'admin@contoso.example');

  // The demo's domain: held on the administrator's word, not verified.
  const demo = admin.getByTestId('domain-contoso.example');
  await expect(demo.getByTestId('domain-status')).toHaveText('Asserted by the administrator');
  await expect(admin.getByRole('navigation').getByText('Domains')).toBeVisible();
  await shot(admin, 'domains-01-list');

  // Add: the server answers the record to publish.
  await admin.getByRole('button', { name: 'Add domain' }).click();
  const dialog = admin.getByTestId('add-domain-dialog');
  await dialog.getByLabel('Domain name').fill(`  ${DOMAIN.toUpperCase()} `);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(dialog.getByTestId('txt-name')).toHaveText(`_remote-help.${DOMAIN}`);
  const value = ((await dialog.getByTestId('txt-value').textContent()) ?? '').trim();
  expect(value).toMatch(/^remote-help-verification=[A-Za-z0-9_-]{32}$/);
  await dialog.getByTestId('copy-txt-value').click();
  await expect(dialog.getByTestId('copy-txt-value')).toHaveText('Copied');
  expect(await admin.evaluate(() => navigator.clipboard.readText())).toBe(value);
  await shot(admin, 'domains-02-txt-record');

  // Too early: nothing published yet.
  await dialog.getByRole('button', { name: 'Verify now' }).click();
  await expect(dialog.getByTestId('domain-error')).toHaveText(/There is no TXT record for this domain yet/);
  await shot(admin, 'domains-03-no-record');

  // A wrong value published.
  dns.table.set(`_remote-help.${DOMAIN}`, { txt: ['remote-help-verification=not-the-right-one'] });
  await dialog.getByRole('button', { name: 'Verify now' }).click();
  await expect(dialog.getByTestId('domain-error')).toHaveText(/does not hold the value shown/);

  // Later: the dialog closes, the domain waits in the list with its record and a Verify button.
  await dialog.getByRole('button', { name: 'Verify later' }).click();
  const row = admin.getByTestId(`domain-${DOMAIN}`);
  await expect(row.getByTestId('domain-status')).toHaveText('Pending verification');
  await expect(admin.getByTestId(`domain-record-${DOMAIN}`).getByTestId('txt-value')).toHaveText(value);
  await shot(admin, 'domains-04-pending');

  // The right value: verified by DNS.
  dns.table.set(`_remote-help.${DOMAIN}`, { txt: ['v=spf1 -all', value] });
  await row.getByRole('button', { name: `Verify ${DOMAIN}` }).click();
  await expect(admin.getByTestId('admin-notice')).toHaveText(`${DOMAIN} is verified.`);
  await expect(row.getByTestId('domain-status')).toHaveText('Verified (DNS)');
  await expect(admin.getByTestId(`domain-record-${DOMAIN}`)).toHaveCount(0);
  expect(dns.queries).toContain(`TXT _remote-help.${DOMAIN}`);
  await shot(admin, 'domains-05-verified');

  // A person of the verified domain can now be added (the API the New user dialog uses).
  const created = await admin.evaluate(async (person) => {
    const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
    const r = await fetch('/api/v1/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
      body: JSON.stringify({ email: person.email, displayName: person.name, password: person.password }),
    });
    return r.status;
  }, PERSON);
  expect(created).toBe(201);

  // Trust screens: "Verified" for the DNS-proven domain, "asserted" for the demo's.
  const helper = await (await browser.newContext({ baseURL: url })).newPage();
  const sharer = await (await browser.newContext({ baseURL: url })).newPage();
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = ((await codeBox.textContent()) ?? '').replace(/\D/g, '');
  await signInWith(sharer, '/share', PERSON.email, PERSON.password);
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper.getByTestId('verified-badge')).toHaveText(`Verified: ${DOMAIN}`);
  await expect(helper.getByTestId('peer-card')).toContainText(PERSON.name);
  await shot(helper, 'domains-06-helper-trust-verified');
  await expect(sharer.getByTestId('asserted-badge')).toHaveText(
    'Domain asserted by the administrator: contoso.example',
  );
  await expect(sharer.getByTestId('verified-badge')).toHaveCount(0);
  await shot(sharer, 'domains-07-sharer-trust-asserted');

  // In use: the administrator is told why it cannot be removed, and offered no Remove.
  await admin.getByRole('button', { name: 'Refresh' }).click();
  await expect(row.getByRole('cell', { name: '1', exact: true })).toBeVisible();
  await row.getByRole('button', { name: `Remove ${DOMAIN}` }).click();
  const remove = admin.getByTestId('remove-domain-dialog');
  await expect(remove).toContainText(`${DOMAIN} cannot be removed while 1 person has an email there.`);
  await expect(remove.getByRole('button', { name: 'Remove' })).toBeDisabled();
  await shot(admin, 'domains-08-remove-in-use');
  await remove.getByRole('button', { name: 'Cancel' }).click();
});
