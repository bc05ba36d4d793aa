/**
 * RBAC scope in the real apps: an administrator gives a new helper the Help Desk Operator
 * role over the "Finance" group only (through the API, as the admin center will); a sharer
 * outside Finance enters that helper's code. The sharer is refused with a message that says
 * whom to ask, and the helper's app shows that the session ended because of the scope.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { PASSWORD, shot, signIn, closeContexts } from './support.js';

test.afterEach(closeContexts);

async function api(page: Page, method: string, path: string, body?: unknown) {
  const me = await page.request.get('/api/v1/me');
  const csrf = ((await me.json()) as { csrfToken: string }).csrfToken;
  const r = await page.request.fetch(path, {
    method,
    headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status(), body: (await r.json()) as Record<string, unknown> };
}

test('a sharer outside the helper’s scope is refused, and both are told why', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/help', 'admin@contoso.example');
  const finance = await api(admin, 'POST', '/api/v1/groups', { name: 'Finance', kind: 'user' });
  expect(finance.status).toBe(201);
  const helpers = await api(admin, 'POST', '/api/v1/groups', { name: 'Finance help desk', kind: 'user' });
  const created = await api(admin, 'POST', '/api/v1/users', {
    email: 'finance-desk@contoso.example',
    displayName: 'Farid Desk',
    jobTitle: 'Finance IT',
    password: PASSWORD,
    groups: [(helpers.body.group as { id: string }).id],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const assignment = await api(admin, 'POST', '/api/v1/assignments', {
    name: 'Finance help desk',
    roleId: 'helpDeskOperator',
    members: [(helpers.body.group as { id: string }).id],
    scope: { all: false, groups: [(finance.body.group as { id: string }).id], excluded: [] },
  });
  expect(assignment.status, JSON.stringify(assignment.body)).toBe(201);

  const helper = await (await browser.newContext()).newPage();
  await signIn(helper, '/help', 'finance-desk@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = ((await codeBox.textContent()) ?? '').replace(/\D/g, '');

  const sharer = await (await browser.newContext()).newPage();
  await signIn(sharer, '/share', 'sharer@contoso.example');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(sharer.getByText(/The helper's role does not cover this person or device/)).toBeVisible();
  await shot(sharer, 'rbac-01-sharer-out-of-scope');

  // The page's words, not the screen reader's live region that says the same.
  await expect(
    helper.getByText(/your role does not let you help them/).and(helper.locator(':not([aria-live])')),
  ).toBeVisible();
  await shot(helper, 'rbac-02-helper-out-of-scope');
});
