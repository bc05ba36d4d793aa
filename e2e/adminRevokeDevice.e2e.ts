/**
 * Revoking a device's enrollment in the admin center, in real Chromium against the real server:
 * two devices enroll with a token (their own Ed25519 keys, as the agent makes them) and prove
 * themselves with a check-in. A Help Desk Operator and a Read Only Operator are offered no
 * "Revoke enrollment" (and the server refuses the first). The administrator finds the lost
 * laptop in All devices, opens it, reads what revoking does in the confirmation, confirms (the
 * button shows progress and is off while the call runs), and sees the device as Revoked with
 * the date and time, and a success message. The server agrees: the device reads as revoked,
 * its next check-in is refused with `device_revoked`, the list's Revoked filter shows it and
 * the audit log names the change. The second device is revoked in Arabic, right to left.
 * Screenshots revoke-device-01 … -06.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { E2E_URL } from '../playwright.config.js';
import { PASSWORD, closeContexts, shot, signIn } from './support.js';

test.afterEach(closeContexts);

type Catalog = Record<string, unknown>;
/** The translation of `key` in `language`, from the locale file the app loads. */
function tr(language: string, key: string): string {
  const file = new URL(`../packages/web/src/i18n/locales/${language}.json`, import.meta.url);
  const catalog = JSON.parse(readFileSync(file, 'utf8')) as Catalog;
  const value = key.split('.').reduce<unknown>((node, part) => (node as Catalog)[part], catalog);
  if (typeof value !== 'string') throw new Error(`${language}: no ${key}`);
  return value;
}

/** Calls the API as the signed-in page (the CSRF token from /api/v1/me). */
async function apiAs(page: Page) {
  const { csrfToken } = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  return async (method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown) => {
    const response = await page.request.fetch(path, { method, data, headers: { 'x-csrf-token': csrfToken } });
    const text = await response.text();
    return { status: response.status(), body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
}

interface Device {
  id: string;
  name: string;
  key: KeyObject;
}

const inventory = (hostname: string) => ({
  hostname,
  os: 'linux',
  osVersion: 'Debian GNU/Linux 12 (bookworm)',
  model: 'ThinkPad T14',
  serial: null,
  isVirtualMachine: false,
  diskEncrypted: true,
  firewallEnabled: true,
  screenCount: 1,
  agentVersion: '1.2.0',
});

/** Enrolls a device named `name` with its own key pair, as `remote-help-agent enroll` does. */
async function enroll(request: APIRequestContext, token: string, name: string): Promise<Device> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const r = await request.post('/api/v1/devices/enroll', {
    data: { token, publicKey: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, inventory: inventory(name) },
  });
  expect(r.status(), await r.text()).toBe(201);
  return { id: ((await r.json()) as { deviceId: string }).deviceId, name, key: privateKey };
}

/** A check-in proved with the device's key (`Authorization: Device <JWT>`, as the agent signs it). */
async function checkIn(request: APIRequestContext, device: Device): Promise<{ status: number; error?: string }> {
  const url = `${E2E_URL}/api/v1/devices/checkin`;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { sub: device.id, htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000), jti: randomUUID() };
  const input = `${part({ alg: 'EdDSA', typ: 'remote-help-device+jwt' })}.${part(claims)}`;
  const jwt = `${input}.${sign(null, Buffer.from(input), device.key).toString('base64url')}`;
  const r = await request.post(url, {
    headers: { authorization: `Device ${jwt}` },
    data: { inventory: inventory(device.name) },
  });
  const body = (await r.json()) as { error?: string };
  return { status: r.status(), error: body.error };
}

/** A person with the built-in role `roleId` over the whole organization, made through the API. */
async function personWithRole(call: Awaited<ReturnType<typeof apiAs>>, roleId: string, email: string) {
  const group = await call('POST', '/api/v1/groups', { name: `Revoke journey ${email}`, kind: 'user' });
  expect(group.status, JSON.stringify(group.body)).toBe(201);
  const groupId = (group.body.group as { id: string }).id;
  const user = await call('POST', '/api/v1/users', {
    email,
    displayName: 'Rita Reader',
    jobTitle: 'IT Auditor',
    password: PASSWORD,
    groups: [groupId],
  });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const assignment = await call('POST', '/api/v1/assignments', {
    name: `Revoke journey ${roleId}`,
    description: '',
    roleId,
    members: [groupId],
    scope: { all: true, groups: [], excluded: [] },
  });
  expect(assignment.status, JSON.stringify(assignment.body)).toBe(201);
}

/** The date and time as the device page writes them (`DateText`), in the page's own time zone. */
const pageDate = (page: Page, iso: string, language: string) =>
  page.evaluate(
    ([at, lang]) =>
      new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at as string)),
    [iso, language],
  );

async function signedInState(browser: Browser, email: string) {
  const context = await browser.newContext({ locale: 'en-US' });
  await signIn(await context.newPage(), '/admin', email);
  const state = await context.storageState();
  await context.close();
  return state;
}

test('an administrator revokes a lost device’s enrollment from its page; others are not offered it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const admin = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(admin, '/admin/devices', 'admin@contoso.example');
  const call = await apiAs(admin);
  const suffix = Date.now().toString(36);
  const created = await call('POST', '/api/v1/enrollment-tokens', { maxUses: 2 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const token = created.body.token as string;
  const laptop = await enroll(admin.request, token, `lost-laptop-${suffix}`);
  const kiosk = await enroll(admin.request, token, `kiosk-${suffix}`);
  expect(await checkIn(admin.request, laptop)).toEqual({ status: 200, error: undefined });

  // A Help Desk Operator (no Manage devices): nothing to revoke with, and the server refuses it.
  const helper = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(helper, `/admin/devices/${laptop.id}`, 'helper@contoso.example');
  await expect(helper.getByTestId('admin-section-denied')).toBeVisible();
  await expect(helper.getByRole('button', { name: 'Revoke enrollment' })).toHaveCount(0);
  const refused = await (await apiAs(helper))('POST', `/api/v1/devices/${laptop.id}/revoke`, {});
  expect(refused.status).toBe(403);
  expect(refused.body.error).toBe('forbidden');

  // A Read Only Operator sees the device page, but no Revoke enrollment.
  const readerEmail = `reader-${suffix}@contoso.example`;
  await personWithRole(call, 'readOnlyOperator', readerEmail);
  const reader = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(reader, `/admin/devices/${laptop.id}`, readerEmail);
  await expect(reader.getByRole('heading', { name: laptop.name, level: 1 })).toBeVisible();
  await expect(reader.getByTestId('device-inventory')).toContainText('ThinkPad T14');
  await expect(reader.getByRole('button', { name: 'Revoke enrollment' })).toHaveCount(0);
  await shot(reader, 'revoke-device-01-read-only-operator');

  // The administrator finds the laptop in All devices and opens it at once, before the search that
  // follows the typing pause has run, on a slow machine (the page's CPU throttled 30 times, so that
  // the router's render of the device page outlasts the pause): the search must not take them back
  // to the list (it did, under a loaded CI run).
  await admin.getByRole('searchbox').fill(suffix);
  const row = admin.locator(`[data-testid="device-row"][data-device="${laptop.name}"]`);
  // This search applied and listed before the CPU is throttled: only the next one is to race the click.
  await expect(admin).toHaveURL(new RegExp(`[?&]search=${suffix}(&|$)`));
  await expect(row).toContainText('Enrolled');
  const cdp = await admin.context().newCDPSession(admin);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 30 });
  // A longer search, and the click 100 ms later: within the pause.
  await admin.getByRole('searchbox').evaluate(
    (box, [name, id]) =>
      new Promise<void>((resolve) => {
        const input = box as HTMLInputElement;
        const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
        setValue.call(input, name);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        setTimeout(() => {
          document.querySelector<HTMLAnchorElement>(`a[href="/admin/devices/${id}"]`)!.click();
          resolve();
        }, 100);
      }),
    [laptop.name, laptop.id],
  );
  await expect(admin.getByRole('heading', { name: laptop.name, level: 1 })).toBeVisible();
  await admin.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1000))); // past the pause, in page time
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(admin).toHaveURL(`/admin/devices/${laptop.id}`);
  await expect(admin.getByRole('heading', { name: laptop.name, level: 1 })).toBeVisible();

  // Revoke enrollment: the confirmation says what happens.
  await admin.getByRole('button', { name: 'Revoke enrollment' }).click();
  const dialog = admin.getByTestId('revoke-device-dialog');
  // The name is set apart from the sentence (U+2068 … U+2069), so that it reads right in Arabic and Hebrew.
  await expect(
    dialog.getByRole('heading', { name: `Revoke the enrollment of \u2068${laptop.name}\u2069?` }),
  ).toBeVisible();
  for (const key of ['intro', 'app', 'sessions', 'history', 'again']) {
    await expect(dialog).toContainText(tr('en', `admin.devices.revoke.${key}`));
  }
  await shot(admin, 'revoke-device-02-dialog');

  // While the server works, the button shows progress and cannot be pressed again.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  await admin.route(`**/api/v1/devices/${laptop.id}/revoke`, async (route) => {
    await held;
    await route.continue();
  });
  const confirm = dialog.getByRole('button', { name: 'Revoke enrollment' });
  await confirm.click();
  await expect(confirm).toBeDisabled();
  await expect(confirm.locator('.fui-Spinner')).toBeVisible();
  release();
  await expect(dialog).toHaveCount(0);
  await admin.unroute(`**/api/v1/devices/${laptop.id}/revoke`);

  // The page shows it revoked, with the date and time, and says it worked.
  const page = admin.getByTestId('device-page');
  await expect(admin.getByTestId('device-notice')).toContainText(
    `The enrollment of \u2068${laptop.name}\u2069 was revoked.`,
  );
  await expect(admin.getByTestId('device-notice')).toBeFocused();
  await expect(page.getByText('Revoked', { exact: true })).toBeVisible();
  const device = await call('GET', `/api/v1/devices/${laptop.id}`);
  expect(device.body).toMatchObject({ id: laptop.id, enrollmentStatus: 'revoked', revokedAt: expect.any(String) });
  const revokedAt = device.body.revokedAt as string;
  await expect(admin.getByTestId('device-revoked-on')).toHaveText(
    `Revoked on \u2068${await pageDate(admin, revokedAt, 'en')}\u2069`,
  );
  await expect(admin.getByRole('button', { name: 'Revoke enrollment' })).toHaveCount(0);
  await expect(admin.getByTestId('new-session-unavailable')).toHaveText(
    tr('en', 'admin.devices.newSession.blocked.revoked'),
  );
  await shot(admin, 'revoke-device-03-revoked');

  // The server: the device's proof is refused from now on.
  expect(await checkIn(admin.request, laptop)).toEqual({ status: 403, error: 'device_revoked' });

  // All devices with the Revoked filter: the laptop, not the kiosk.
  await admin.goto(`/admin/devices?enrollment=revoked&search=${suffix}`);
  await expect(admin.getByTestId('device-row')).toHaveCount(1);
  await expect(row).toContainText('Revoked');
  await shot(admin, 'revoke-device-04-list-revoked');

  // The audit log names the change in words.
  await admin.goto(`/admin/reports/audit?action=device.revoked&targetId=${laptop.id}`);
  await expect(admin.locator('[data-testid="audit-row"][data-action="device.revoked"]')).toContainText(
    "Device's enrollment revoked",
  );

  // In Arabic, right to left: the kiosk.
  const arabic = await (
    await browser.newContext({ locale: 'ar', storageState: await signedInState(browser, 'admin@contoso.example') })
  ).newPage();
  await arabic.goto(`/admin/devices/${kiosk.id}`);
  await expect(arabic.locator('html')).toHaveAttribute('dir', 'rtl');
  await arabic.getByRole('button', { name: tr('ar', 'admin.devices.revoke.button') }).click();
  const arDialog = arabic.getByTestId('revoke-device-dialog');
  await expect(arDialog).toContainText(tr('ar', 'admin.devices.revoke.again'));
  await shot(arabic, 'revoke-device-05-dialog-ar');
  await arDialog.getByRole('button', { name: tr('ar', 'admin.devices.revoke.confirm') }).click();
  await expect(arDialog).toHaveCount(0);
  const kioskRevokedAt = (await call('GET', `/api/v1/devices/${kiosk.id}`)).body.revokedAt as string;
  await expect(arabic.getByTestId('device-revoked-on')).toHaveText(
    tr('ar', 'admin.devices.revoke.revokedOn').replace(
      '{{date}}',
      `\u2068${await pageDate(arabic, kioskRevokedAt, 'ar')}\u2069`,
    ),
  );
  await shot(arabic, 'revoke-device-06-revoked-ar');
});
