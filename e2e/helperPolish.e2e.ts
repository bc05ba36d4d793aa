/**
 * What a new helper noticed, in real browsers: the start screen leads with *Get a security code*;
 * the tab title and a desktop notification say when the sharer entered the code (permission is
 * asked when the helper gets a code, never on load, and a refusal changes nothing else); unknown
 * addresses show a page with a way home; a page opened through another host name is moved to
 * PUBLIC_URL before sign-in; *Sign out* during a live session asks first; and a person without
 * helper rights is not offered *Give help*.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { E2E_URL } from '../playwright.config.js';
import { closeContexts, joinedPair, shot, signIn, startViewing } from './support.js';

test.afterEach(closeContexts);

interface NotificationLog {
  created: { title: string; body: string; tag: string }[];
  closed: number;
  requests: number;
}

/**
 * Records the page's notifications (wrapping the browser's own `Notification`) and its permission
 * requests, and lets the test say whether the page is in front (`document.hasFocus`): a helper who
 * looks at another window. `deny` answers permission requests with "denied", as a person would.
 */
async function watchNotifications(context: BrowserContext, options: { deny?: boolean } = {}): Promise<void> {
  await context.addInitScript((deny: boolean) => {
    const log = { created: [], closed: 0, requests: 0 } as {
      created: { title: string; body: string; tag: string }[];
      closed: number;
      requests: number;
    };
    const w = window as unknown as { __notifications: typeof log; __inFront: boolean };
    w.__notifications = log;
    w.__inFront = true;
    document.hasFocus = () => w.__inFront;
    const Original = window.Notification;
    class Recorded extends Original {
      constructor(title: string, init?: NotificationOptions) {
        super(title, init);
        log.created.push({ title, body: init?.body ?? '', tag: init?.tag ?? '' });
      }
      override close(): void {
        log.closed += 1;
        super.close();
      }
      static override requestPermission(): Promise<NotificationPermission> {
        log.requests += 1;
        return deny ? Promise.resolve('denied') : Original.requestPermission();
      }
    }
    window.Notification = Recorded;
  }, options.deny ?? false);
}

const notifications = (page: Page): Promise<NotificationLog> =>
  page.evaluate(() => (window as unknown as { __notifications: NotificationLog }).__notifications);

const lookElsewhere = (page: Page) =>
  page.evaluate(() => ((window as unknown as { __inFront: boolean }).__inFront = false));

test('the start screen leads with Get a security code; permission to notify is asked then, not on load', async ({
  browser,
}) => {
  // Two people sign in through the IdP: give a loaded machine time.
  test.setTimeout(150_000);
  const context = await browser.newContext();
  await watchNotifications(context, { deny: true });
  const helper = await context.newPage();
  await signIn(helper, '/help', 'helper@contoso.example');
  const getCode = helper.getByRole('button', { name: 'Get a security code' });
  const devices = helper.getByRole('heading', { name: 'Or help someone on an enrolled device' });
  await expect(getCode).toBeVisible();
  await expect(devices).toBeVisible();
  // First on the screen and first in reading order: the code, then the device list.
  const [codeBox, devicesBox] = [await getCode.boundingBox(), await devices.boundingBox()];
  expect(codeBox!.y).toBeLessThan(devicesBox!.y);
  expect(
    await getCode.evaluate(
      (button, heading) => Boolean(button.compareDocumentPosition(heading!) & Node.DOCUMENT_POSITION_FOLLOWING),
      await devices.elementHandle(),
    ),
  ).toBe(true);
  await shot(helper, 'polish-01-helper-start');
  await expect(helper).toHaveTitle('Remote Help');
  expect((await notifications(helper)).requests).toBe(0);

  await getCode.click();
  await expect(helper.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
  await expect.poll(async () => (await notifications(helper)).requests).toBe(1);
  const code = ((await helper.getByTestId('security-code').textContent()) ?? '').replace(/\D/g, '');

  // Denied: no notification and no complaint, the tab title still tells.
  await lookElsewhere(helper);
  const sharer = await (await browser.newContext()).newPage();
  await signIn(sharer, '/share', 'sharer@contoso.example');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper).toHaveTitle('Lena Fischer entered your code – Remote Help');
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  await expect(helper.getByTestId('action-error')).toHaveCount(0);
  expect((await notifications(helper)).created).toEqual([]);
});

test('the tab title and a notification tell a helper looking elsewhere that the sharer entered the code', async ({
  browser,
}) => {
  // Two people sign in through the IdP: give a loaded machine time.
  test.setTimeout(150_000);
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: E2E_URL });
  await watchNotifications(context);
  const helper = await context.newPage();
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  await expect(helper.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
  const code = ((await helper.getByTestId('security-code').textContent()) ?? '').replace(/\D/g, '');
  // Already granted: nothing to ask.
  expect((await notifications(helper)).requests).toBe(0);
  await expect(helper).toHaveTitle('Remote Help');

  await lookElsewhere(helper);
  const sharer = await (await browser.newContext()).newPage();
  await signIn(sharer, '/share', 'sharer@contoso.example');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper).toHaveTitle('Lena Fischer entered your code – Remote Help');
  await expect
    .poll(async () => (await notifications(helper)).created)
    .toEqual([
      {
        title: 'Lena Fischer entered your code',
        body: 'Check who they are, then ask to see their screen.',
        tag: expect.stringMatching(/^remote-help-/) as unknown as string,
      },
    ]);
  await expect(helper.getByTestId('trust-intro')).toHaveText(
    'Lena Fischer entered your code. Make sure this is the person you expect before you continue.',
  );
  await shot(helper, 'polish-02-helper-trust-title');

  // Once the helper has acted, the title is the page's own again and the notification is gone.
  await helper.getByRole('button', { name: 'View only' }).click();
  await expect(sharer.getByRole('button', { name: 'Allow' })).toBeVisible();
  await expect(helper).toHaveTitle('Remote Help');
  await expect.poll(async () => (await notifications(helper)).closed).toBeGreaterThanOrEqual(1);
  expect((await notifications(helper)).created).toHaveLength(1);
});

test('an unknown address shows a page with a way home; unknown API paths stay JSON', async ({ page }) => {
  const response = await page.goto('/no/such/page?x=1');
  expect(response?.status()).toBe(404);
  const notFound = page.getByTestId('not-found');
  await expect(notFound.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(notFound).toContainText('There is no page at \u2068/no/such/page\u2069.');
  await shot(page, 'polish-03-not-found');
  await page.getByRole('link', { name: 'Go to the Remote Help home page' }).click();
  await expect(page).toHaveURL(`${E2E_URL}/`);
  await expect(page.getByTestId('get-help')).toBeVisible();

  // Inside the app too (no server round trip).
  await page.evaluate(() => {
    window.history.pushState({}, '', '/helpdesk');
    window.dispatchEvent(new PopStateEvent('popstate'));
  });
  await expect(page.getByTestId('not-found')).toContainText('/helpdesk');

  const api = await page.request.get('/api/v1/nope', { headers: { accept: 'text/html' } });
  expect(api.status()).toBe(404);
  expect(await api.json()).toMatchObject({ ok: false, error: 'not_found' });
});

test('a page opened through another host name moves to PUBLIC_URL first, and sign-in then works', async ({ page }) => {
  const other = E2E_URL.replace('127.0.0.1', 'localhost');
  await page.goto(`${other}/help?from=elsewhere`);
  await expect(page).toHaveURL(`${E2E_URL}/help?from=elsewhere`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill('helper@contoso.example');
  await page.getByLabel('Password').fill('e2e-demo-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${E2E_URL}/help?from=elsewhere`);
  expect(page.url()).not.toContain('signin=expired');
  await expect(page.getByTestId('signed-in-user')).toHaveText('Daniel Okafor');
  await expect(page.getByRole('button', { name: 'Get a security code' })).toBeVisible();
});

test('Sign out during a live session asks first: Cancel keeps the session, confirming ends it for both', async ({
  browser,
}) => {
  // Two people sign in through the IdP: give a loaded machine time.
  test.setTimeout(150_000);
  const pair = await joinedPair(browser);
  await startViewing(pair);
  const { helper, sharer } = pair;

  await helper.getByRole('button', { name: 'Sign out' }).click();
  const dialog = helper.getByRole('alertdialog', { name: 'Sign out and end the help session?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('You are in a help session with \u2068Lena Fischer\u2069');
  await shot(helper, 'polish-04-sign-out-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(helper.getByTestId('remote-video')).toBeVisible();
  await expect(helper.getByTestId('signed-in-user')).toHaveText('Daniel Okafor');
  await expect(sharer.getByTestId('session-ended')).toHaveCount(0);

  await helper.getByRole('button', { name: 'Sign out' }).click();
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(helper).toHaveURL(`${E2E_URL}/`);
  await expect(helper.getByTestId('signed-in-user')).toHaveCount(0);
  await expect(sharer.getByTestId('session-ended')).toContainText('Daniel Okafor ended the session.');
  await shot(sharer, 'polish-05-sharer-told');

  // Signing out with no live session asks nothing.
  await sharer.getByRole('button', { name: 'Sign out' }).click();
  await expect(sharer).toHaveURL(`${E2E_URL}/`);
  await expect(sharer.getByTestId('signed-in-user')).toHaveCount(0);
});

test('a person without helper rights is not offered Give help, and /help says why', async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, '/help', 'sharer@contoso.example');
  const panel = page.getByTestId('no-helper-rights');
  await expect(panel.getByRole('heading', { name: 'Your role does not allow giving help' })).toBeVisible();
  await expect(panel).toContainText('Ask an administrator of your organization to assign you such a role.');
  await expect(page.getByRole('button', { name: 'Get a security code' })).toHaveCount(0);
  await shot(page, 'polish-06-no-helper-rights');

  await panel.getByRole('button', { name: 'Home page' }).click();
  await expect(page).toHaveURL(`${E2E_URL}/`);
  await expect(page.getByTestId('get-help')).toBeVisible();
  await expect(page.getByTestId('give-help')).toHaveCount(0);
  await shot(page, 'polish-07-landing-without-give-help');

  // A helper is offered both.
  const helper = await (await browser.newContext()).newPage();
  await signIn(helper, '/help', 'helper@contoso.example');
  await helper.goto('/');
  await expect(helper.getByTestId('give-help')).toBeVisible();
  await expect(helper.getByTestId('get-help')).toBeVisible();
});
