/**
 * Conditional access, as issue 9 asks to see it: an administrator creates a policy that asks
 * the help desk for multi-factor authentication in the helper app; a helper without an
 * authenticator app who signs in to the helper app is sent to set one up right in the sign-in
 * (QR code, first code, recovery codes) and then gets in, and can offer help; What if explains,
 * for a helper who signs in with a password only, which policy blocks and what is missing; the
 * sign-in log shows the helper's interrupted and then allowed sign-ins.
 *
 * The journey's helper and group are its own (the journeys share one server): the policy
 * covers only that group, and it is deleted at the end whatever happens.
 */
import { createHmac } from 'node:crypto';
import type { APIRequestContext, Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import { PASSWORD, closeContexts, shot, signIn } from './support.js';

const expect = baseExpect.configure({ timeout: 30_000 });
test.afterEach(closeContexts);

const HELPER = 'ca-mfa-helper@contoso.example';
const GROUP = 'MFA journey help desk';
const POLICY = 'Help desk: MFA in the helper app';

/** RFC 6238 code of a base32 secret now. */
function totp(secretBase32: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1]! & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The administrator's API calls (CSRF token from /me). */
async function adminApi(page: Page) {
  const request: APIRequestContext = page.request;
  const csrf = ((await (await request.get('/api/v1/me')).json()) as { csrfToken: string }).csrfToken;
  const call = async (method: 'post' | 'put' | 'delete', path: string, data?: unknown) => {
    const r = await request[method](path, { headers: { 'x-csrf-token': csrf }, ...(data ? { data } : {}) });
    expect(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`).toBe(true);
    return r.status() === 204 ? {} : ((await r.json()) as Record<string, unknown>);
  };
  return { call, get: async (path: string) => (await (await request.get(path)).json()) as Record<string, unknown> };
}

/** Picks `name` in a tag picker by typing part of it. */
async function pick(page: Page, testId: string, text: string, name: string): Promise<void> {
  const input = page.getByTestId(testId).locator('input');
  await input.click();
  await input.pressSequentially(text);
  await page.getByRole('option', { name }).click();
  await expect(page.getByTestId(testId)).toContainText(name);
}

test('an MFA policy for the help desk: a helper without MFA sets it up at sign-in and gets in; What if explains a block', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await signIn(admin, '/admin/tenant/conditional-access/policies', 'admin@contoso.example');
  const api = await adminApi(admin);

  // The journey's helper: a person in a group that holds the Help Desk Operator role.
  const group = (await api.call('post', '/api/v1/groups', { name: GROUP, kind: 'user' })).group as { id: string };
  await api.call('post', '/api/v1/users', {
    email: HELPER,
    displayName: 'Hana Helper',
    jobTitle: 'Service desk',
    password: PASSWORD,
    groups: [group.id],
  });
  await api.call('post', '/api/v1/assignments', {
    name: 'MFA journey help desk',
    description: '',
    roleId: 'helpDeskOperator',
    members: [group.id],
    scope: { all: true, groups: [], excluded: [] },
  });

  try {
    // The administrator creates the policy in the admin center: that group, the helper app, MFA, On.
    await admin.getByTestId('ca-new-policy').click();
    await expect(admin.getByTestId('ca-policy-editor')).toBeVisible();
    await admin.getByTestId('ca-policy-name').fill(POLICY);
    await admin.getByTestId('ca-users-selected').check();
    await pick(admin, 'ca-include-groups', 'MFA journey', GROUP);
    await admin.getByTestId('ca-apps-selected').check();
    await admin.getByTestId('ca-app-helper').check();
    await admin.getByTestId('ca-grant-grant').check();
    await admin.getByTestId('ca-control-mfa').check();
    await admin.getByTestId('ca-state-on').check();
    await admin.evaluate(() => window.scrollTo(0, 0));
    await shot(admin, 'ca-mfa-01-policy-editor');
    await admin.getByTestId('ca-policy-submit').click();
    await expect(admin.getByTestId('admin-notice')).toContainText(`Policy “${POLICY}” created.`);
    const row = admin.getByTestId('ca-policy-row').filter({ hasText: POLICY });
    await expect(row.getByTestId('ca-policy-state')).toHaveText('On');
    await shot(admin, 'ca-mfa-02-policies');

    // What if: the helper, in the helper app, signed in with a password only → blocked, MFA missing, by this policy.
    await admin.getByTestId('ca-tab-what-if').click();
    await admin.getByTestId('ca-whatif-user').click();
    await admin.getByTestId('ca-whatif-user').pressSequentially('Hana');
    await admin.getByRole('option', { name: /Hana Helper/ }).click();
    await admin.getByTestId('ca-whatif-app').click();
    await admin.getByRole('option', { name: 'Helper app' }).click();
    await admin.getByTestId('ca-whatif-evaluate').click();
    await expect(admin.getByTestId('ca-decision')).toHaveAttribute('data-decision', 'blocked');
    await expect(admin.getByTestId('ca-decision')).toContainText('Multi-factor authentication');
    const applied = admin.getByTestId('ca-applied-row').filter({ hasText: POLICY });
    await expect(applied).toHaveAttribute('data-result', 'failure');
    await shot(admin, 'ca-mfa-03-what-if-blocked');
    // With MFA, the same request is allowed.
    await admin.getByTestId('ca-whatif-mfa').check();
    await admin.getByTestId('ca-whatif-evaluate').click();
    await expect(admin.getByTestId('ca-decision')).toHaveAttribute('data-decision', 'allowed');

    // The helper signs in to the helper app: after the password, the sign-in asks to set up MFA.
    const helper = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await helper.goto('/help');
    await helper.getByRole('button', { name: 'Sign in', exact: true }).click();
    await helper.waitForURL(/\/signin\//);
    await helper.getByLabel('Email').fill(HELPER);
    await helper.getByLabel('Password').fill(PASSWORD);
    await helper.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(helper.getByRole('heading', { name: 'Set up multi-factor authentication' })).toBeVisible();
    await expect(helper.getByRole('img', { name: /QR code/ })).toBeVisible();
    await shot(helper, 'ca-mfa-04-setup-at-sign-in');
    const secret = (await helper.getByTestId('mfa-secret').textContent())!.trim();
    await helper.getByLabel('Code from the app').fill('000000' === totp(secret) ? '111111' : '000000');
    await helper.getByRole('button', { name: 'Verify' }).click();
    await expect(helper.getByRole('alert')).toBeVisible();
    await helper.getByLabel('Code from the app').fill(totp(secret));
    await helper.getByRole('button', { name: 'Verify' }).click();
    await expect(helper.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
    await expect(helper.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    await shot(helper, 'ca-mfa-05-recovery-codes');
    await helper.getByRole('button', { name: 'Continue' }).click();
    await helper.waitForURL((url) => url.pathname === '/help');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    await expect(helper.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
    await shot(helper, 'ca-mfa-06-helper-in');

    // The sign-in log: the interrupted sign-in (MFA missing) and the one that got in.
    await admin.goto('/admin/reports/sign-ins');
    const entries = admin.getByTestId('sign-in-row').filter({ hasText: 'Hana Helper' });
    await expect(entries.first()).toBeVisible();
    await expect(entries.and(admin.locator('[data-decision="allowed"]')).first()).toBeVisible();
    await expect(entries.and(admin.locator('[data-decision="blocked"]')).first()).toContainText(
      'Multi-factor authentication',
    );
    await shot(admin, 'ca-mfa-07-sign-in-log');
  } finally {
    // Whatever happened, the policy goes: the journeys share one server.
    const { policies } = (await api.get('/api/v1/conditional-access/policies')) as {
      policies: { id: string; name: string }[];
    };
    for (const p of policies.filter((p) => p.name === POLICY)) {
      await api.call('delete', `/api/v1/conditional-access/policies/${p.id}`);
    }
  }
});
