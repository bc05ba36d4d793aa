/**
 * Issue 10, "Accessibility", in real Chromium: every page of the product passes axe-core's
 * WCAG 2.1 A and AA rules with no violation (home, the IdP's sign-in page, the helper app from
 * start to a live picture, the sharer web app, account security, the not-found page, every page
 * of the admin center, the agent window, and the helper app and an admin page in Arabic); the
 * core helper flow and the admin center's navigation work with the keyboard alone; and the
 * helper and sharer apps announce session changes in their live regions.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { E2E_URL } from '../playwright.config.js';
import { agent, agentCommand, agentDesktop, enrollmentToken, stopAgent, WINDOW_URL } from './agent/agentProcess.js';
import { closeContexts, framesDecoded, PASSWORD, shot, signIn } from './support.js';

test.afterEach(closeContexts);

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Fluent's keyboard navigation (Tabster) puts focus guards around toolbars, tab lists and the
 * navigation: `<i tabindex="0" aria-hidden="true" data-tabster-dummy>`, which hand the focus on
 * at once and must stay hidden from screen readers. axe's aria-hidden-focus rule cannot know
 * that; Tabster and Fluent treat it as a false positive (microsoft/tabster#288, and Accessibility
 * Insights suppresses exactly these nodes). Only those nodes of only that rule are set aside.
 */
function isTabsterGuard(rule: string, html: string): boolean {
  return rule === 'aria-hidden-focus' && /^<i [^>]*data-tabster-dummy=/.test(html);
}

/** Runs axe on the page as it is now; every violation (rule, and the elements) fails the test. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !isTabsterGuard(v.id, n.html)) }))
    .filter((v) => v.nodes.length > 0)
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect.soft(found, `axe on ${what} (${page.url()})`).toEqual([]);
}

/** The polite and assertive live regions the helper and sharer apps announce session changes in. */
const politeRegion = (page: Page) => page.getByTestId('announce-polite');
const assertiveRegion = (page: Page) => page.getByTestId('announce-assertive');

/** Presses Tab until `target` has the focus (at most `limit` times); fails if it never does. */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((element) => element === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target, `reached with Tab within ${limit} presses`).toBeFocused();
}

/**
 * Moves the focus into `group` with Tab, then to `target` with the arrow keys: Fluent's
 * navigation is one Tab stop whose items are reached with Up and Down (roving focus).
 */
async function arrowTo(page: Page, group: Locator, target: Locator): Promise<void> {
  const inGroup = () => group.evaluate((element) => element.contains(document.activeElement));
  for (let i = 0; i < 40 && !(await inGroup()); i++) await page.keyboard.press('Tab');
  expect(await inGroup(), 'the group is reached with Tab').toBe(true);
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('ArrowDown');
  }
  await expect(target, 'reached with the arrow keys').toBeFocused();
}

/** Signs in on the IdP's page with the keyboard alone, from `path`. */
async function signInByKeyboard(page: Page, path: string, email: string): Promise<void> {
  await page.goto(path);
  await tabTo(page, page.getByRole('button', { name: 'Sign in', exact: true }));
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/signin\//);
  await tabTo(page, page.getByLabel('Email'));
  await page.keyboard.type(email);
  await tabTo(page, page.getByLabel('Password'));
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === path);
}

async function newPage(browser: Browser, locale?: string): Promise<Page> {
  return (await browser.newContext(locale ? { locale } : {})).newPage();
}

test('home, the sign-in page, account security and the not-found page pass axe', async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await newPage(browser);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page, 'home');

  await page.goto('/help');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await expect(page.getByLabel('Email')).toBeVisible();
  await expectAccessible(page, 'the IdP sign-in page');
  await page.getByLabel('Email').fill('helper@contoso.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expectAccessible(page, 'the IdP sign-in page with an error');

  await signIn(page, '/account/security', 'helper@contoso.example');
  // Each of this page's panels has its own h1 (common/Panel): wait for the page's own.
  await expect(page.getByRole('heading', { level: 1, name: 'Security info' })).toBeVisible();
  await expectAccessible(page, 'account security');

  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page, 'not found');
});

test('the helper and sharer apps pass axe on every screen and announce each session change', async ({ browser }) => {
  test.setTimeout(300_000);
  const helper = await newPage(browser);
  const sharer = await newPage(browser);
  await signIn(helper, '/help', 'helper@contoso.example');
  await expect(helper.getByRole('button', { name: 'Get a security code' })).toBeVisible();
  await expectAccessible(helper, 'helper start');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = (await codeBox.textContent())!.replace(/\D/g, '');
  await expectAccessible(helper, 'helper code screen');

  await signIn(sharer, '/share', 'sharer@contoso.example');
  await expect(sharer.getByLabel('Security code')).toBeVisible();
  await expectAccessible(sharer, 'sharer code entry');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();

  // Joined: both sides are told, politely.
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  await expect(sharer.getByTestId('peer-card')).toBeVisible();
  await expect(politeRegion(helper)).toHaveText('Lena Fischer joined the session.');
  await expect(politeRegion(sharer)).toHaveText('You are connected to Daniel Okafor.');
  await expectAccessible(helper, 'helper trust screen');
  await expectAccessible(sharer, 'sharer trust screen');

  await helper.getByRole('button', { name: 'View only' }).click();
  await expect(sharer.getByRole('button', { name: 'Allow' })).toBeVisible();
  await expectAccessible(helper, 'helper waiting for the sharer');
  await expectAccessible(sharer, 'sharer permission prompt');
  await sharer.getByRole('button', { name: 'Allow' }).click();
  await expect(helper.getByTestId('remote-video')).toBeVisible();
  await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(politeRegion(helper)).toHaveText('You can now see Lena Fischer’s screen.');
  await expect(politeRegion(sharer)).toHaveText('You are sharing your screen with Daniel Okafor.');
  await expectAccessible(helper, 'helper remote view with a live picture');
  await expectAccessible(sharer, 'sharer sharing');

  // Ended: assertive, with the reason.
  await sharer.getByRole('button', { name: 'Leave' }).first().click();
  await expect(helper.getByTestId('session-ended')).toBeVisible();
  await expect(assertiveRegion(helper)).toHaveText(/^The session ended\. .*Lena Fischer/);
  await expect(assertiveRegion(sharer)).toHaveText(/^The session ended\./);
  await expectAccessible(helper, 'helper ended');
  await expectAccessible(sharer, 'sharer ended');
  await shot(helper, 'a11y-helper-ended');
});

test('in Arabic (right to left) the helper start page and an admin page pass axe', async ({ browser }) => {
  test.setTimeout(180_000);
  /** A page in Arabic for `email`, signed in through the (English) sign-in page first. */
  async function arabicPage(path: string, email: string): Promise<Page> {
    const english = await newPage(browser);
    await signIn(english, path, email);
    const storageState = await english.context().storageState();
    const page = await (await browser.newContext({ locale: 'ar', storageState })).newPage();
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    return page;
  }
  const helper = await arabicPage('/help', 'helper@contoso.example');
  await expectAccessible(helper, 'helper start in Arabic');
  await shot(helper, 'a11y-helper-start-ar');

  const admin = await arabicPage('/admin/directory/users', 'admin@contoso.example');
  await expect(admin.getByRole('progressbar')).toHaveCount(0);
  await expectAccessible(admin, 'admin users in Arabic');
  await shot(admin, 'a11y-admin-users-ar');
});

/** Opens an admin page and waits until its heading (and table or form) is on screen. */
async function adminPage(page: Page, path: string): Promise<void> {
  await page.goto(path);
  // A section's code loads on first use: slow on a loaded machine.
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0, { timeout: 30_000 });
}

/** The first link on the page into `prefix` (a row of a list), skipping `exclude`. */
async function firstLink(page: Page, prefix: string, exclude: RegExp = /\/(new|enrollment)$/): Promise<string> {
  const links = page.locator(`main a[href^="${prefix}"]`);
  await expect(links.first()).toBeVisible();
  for (const href of await links.evaluateAll((all) => all.map((a) => a.getAttribute('href') ?? ''))) {
    if (href !== prefix && !exclude.test(href)) return href;
  }
  throw new Error(`no link into ${prefix} on ${page.url()}`);
}

test('every page of the admin center passes axe', async ({ browser }) => {
  test.setTimeout(300_000);
  // An enrolled device, so that the device page has something to show.
  const desktop = await agentDesktop('rh-a11y-');
  try {
    const token = await enrollmentToken(browser);
    const enrolled = await agentCommand(['enroll', '--server', E2E_URL, '--token', token], desktop.env);
    expect(enrolled.code, enrolled.output).toBe(0);
    const deviceId = desktop.deviceId();
    expect(deviceId).toBeTruthy();

    const admin = await newPage(browser);
    await signIn(admin, '/admin/devices', 'admin@contoso.example');
    const pages: string[] = [
      '/admin/devices',
      `/admin/devices/${deviceId}`,
      '/admin/devices/enrollment',
      '/admin/directory/users',
      '/admin/directory/groups',
      '/admin/roles',
      '/admin/roles/new',
      '/admin/tenant/remote-help',
      '/admin/tenant/compliance',
      '/admin/identity',
      '/admin/identity/new',
      '/admin/tenant/domains',
      '/admin/tenant/conditional-access/policies',
      '/admin/tenant/conditional-access/policies/new',
      '/admin/tenant/conditional-access/locations',
      '/admin/tenant/conditional-access/what-if',
      '/admin/reports/monitor',
      '/admin/reports/sessions',
      '/admin/reports/audit',
      '/admin/reports/sign-ins',
    ];
    for (const path of pages) {
      await adminPage(admin, path);
      await expectAccessible(admin, path);
    }
    // The detail pages: a user, a group, a role, its assignment.
    await adminPage(admin, '/admin/directory/users');
    const user = await firstLink(admin, '/admin/directory/users/');
    await adminPage(admin, '/admin/directory/groups');
    const group = await firstLink(admin, '/admin/directory/groups/');
    await adminPage(admin, '/admin/roles');
    const role = await firstLink(admin, '/admin/roles/');
    for (const path of [user, group, role, `${role}/edit`, `${role}/assignments/new`]) {
      await adminPage(admin, path);
      await expectAccessible(admin, path);
    }
  } finally {
    await desktop.stop();
  }
});

test('every dialog of the admin center passes axe, and Escape closes it', async ({ browser }) => {
  test.setTimeout(480_000);
  const admin = await newPage(browser);
  await signIn(admin, '/admin/directory/users', 'admin@contoso.example');
  // Fluent's confirmations and the token dialog are alert dialogs (no dismissing by a click outside).
  const dialog = admin.getByRole('dialog').or(admin.getByRole('alertdialog'));
  /** Opens a dialog from `path` with the button named `name`, checks it, and closes it with Escape. */
  const check = async (path: string, name: string, what: string) => {
    await adminPage(admin, path);
    await admin.getByRole('main').getByRole('button', { name, exact: true }).first().click();
    await expect(dialog).toBeVisible();
    // The dialog takes the focus (a screen reader reads its title), and its title names it.
    await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await expect(dialog).toHaveAccessibleName(/\S/);
    await expectAccessible(admin, what);
    await admin.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  };
  await check('/admin/directory/users', 'New user', 'the New user dialog');
  await check('/admin/directory/groups', 'New group', 'the New group dialog');
  await check('/admin/tenant/domains', 'Add domain', 'the Add domain dialog');
  await check('/admin/devices/enrollment', 'Create token', 'the Create token dialog');
  await check('/admin/tenant/conditional-access/locations', 'New location', 'the New location dialog');
  // A confirmation (Cancel leaves the person's password as it is).
  await adminPage(admin, '/admin/directory/users');
  const user = await firstLink(admin, '/admin/directory/users/');
  await check(user, 'Reset password', 'the Reset password confirmation');
  await shot(admin, 'a11y-admin-dialogs');
});

test('the agent window passes axe on every screen; the helper hears control granted and stopped', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const desktop = await agentDesktop('rh-a11y-window-');
  const running = agent(['share', '--no-window', '--server', E2E_URL], desktop.env);
  try {
    await expect.poll(() => WINDOW_URL.exec(running.output())?.[0] ?? '', { timeout: 60_000 }).not.toBe('');
    const win = await (await browser.newContext({ viewport: { width: 560, height: 760 } })).newPage();
    await win.goto(WINDOW_URL.exec(running.output())![0]);
    await expect(win.getByRole('heading', { name: 'Sign in to get help' })).toBeVisible();
    await expectAccessible(win, 'agent window, sign in');

    // The agent opens the IdP in "the system browser" (a page here), which sends it back signed in.
    await win.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(win.getByRole('heading', { name: 'Continue in your browser' })).toBeVisible();
    await expectAccessible(win, 'agent window, continue in your browser');
    await expect.poll(() => desktop.opened().at(-1) ?? '', { timeout: 10_000 }).toContain('/oidc/auth');
    const idp = await newPage(browser);
    await idp.goto(desktop.opened().at(-1)!);
    await idp.getByLabel('Email').fill('sharer@contoso.example');
    await idp.getByLabel('Password').fill(PASSWORD);
    await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(idp.getByRole('heading', { name: 'You are signed in' })).toBeVisible();
    await expectAccessible(idp, 'the IdP page that hands the sign-in back to the agent');
    await expect(win.getByRole('heading', { name: 'Enter security code' })).toBeVisible();
    await expectAccessible(win, 'agent window, security code');
    await shot(win, 'a11y-agent-code');

    // A helper with a code; the agent's sharer joins, grants full control, stops it, ends.
    const helper = await newPage(browser);
    await signIn(helper, '/help', 'helper@contoso.example');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    await expect(helper.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
    const code = (await helper.getByTestId('security-code').textContent())!.replace(/\D/g, '');
    await win.getByLabel('Security code').fill(code);
    await win.getByRole('button', { name: 'Submit' }).click();
    await expect(win.getByText('Daniel Okafor', { exact: true })).toBeVisible();
    await expect(politeRegion(helper)).toHaveText('Lena Fischer joined the session.');
    await expectAccessible(win, 'agent window, trust screen');

    await helper.getByRole('button', { name: 'Full control' }).click();
    await expect(win.getByRole('button', { name: 'Allow' })).toBeVisible();
    await expectAccessible(win, 'agent window, request');
    await win.getByRole('button', { name: 'Allow' }).click();
    await expect(win.getByRole('button', { name: 'Stop control' })).toBeVisible();
    await expect(politeRegion(helper)).toHaveText('Lena Fischer gave you full control.');
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expectAccessible(win, 'agent window, sharing with control');
    await expectAccessible(helper, 'helper remote view in full control');

    await win.getByRole('button', { name: 'Stop control' }).click();
    await expect(politeRegion(helper)).toHaveText('Full control stopped. You still see Lena Fischer’s screen.');
    await win.getByRole('button', { name: 'Stop sharing' }).click();
    await expect(win.getByRole('heading', { name: 'The session ended' })).toBeVisible();
    await expect(assertiveRegion(helper)).toHaveText('The session ended. Lena Fischer left the session.');
    await expectAccessible(win, 'agent window, ended');
  } finally {
    await stopAgent(running.child);
    await desktop.stop();
  }
});

test('with the keyboard alone: sign in, get a code, enter it as the sharer and Allow; the admin navigation', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const helper = await newPage(browser);
  const sharer = await newPage(browser);
  await signInByKeyboard(helper, '/help', 'helper@contoso.example');
  await tabTo(helper, helper.getByRole('button', { name: 'Get a security code' }));
  await helper.keyboard.press('Enter');
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = (await codeBox.textContent())!.replace(/\D/g, '');

  await signInByKeyboard(sharer, '/share', 'sharer@contoso.example');
  await tabTo(sharer, sharer.getByLabel('Security code'));
  await sharer.keyboard.type(code);
  await sharer.keyboard.press('Enter');
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  await expect(sharer.getByTestId('peer-card')).toBeVisible();

  await tabTo(helper, helper.getByRole('button', { name: 'View only' }));
  await helper.keyboard.press('Space');
  const allow = sharer.getByRole('button', { name: 'Allow' });
  await expect(allow).toBeVisible();
  await tabTo(sharer, allow);
  await sharer.keyboard.press('Enter');
  await expect(helper.getByTestId('remote-video')).toBeVisible();
  await expect(politeRegion(helper)).toHaveText('You can now see Lena Fischer’s screen.');

  // The admin center's navigation: Tab into it, the arrow keys to a page, Enter opens it.
  const admin = await newPage(browser);
  await signInByKeyboard(admin, '/admin/devices', 'admin@contoso.example');
  const nav = admin.getByRole('navigation', { name: /admin/i });
  for (const [name, path] of [
    ['Enrollment tokens', '/admin/devices/enrollment'],
    ['All users', '/admin/directory/users'],
    ['Roles', '/admin/roles'],
    ['Audit log', '/admin/reports/audit'],
  ] as const) {
    await arrowTo(admin, nav, nav.getByRole('link', { name, exact: true }));
    await admin.keyboard.press('Enter');
    await admin.waitForURL((url) => url.pathname === path);
  }
});
