/**
 * Languages (issue 10) in the real browser against the real server: the helper app, the web
 * sharer and the admin center in English, Arabic, Japanese and German (the browser's `locale`),
 * each page with `<html lang dir>` and headings in that language (read from the locale files),
 * screenshotted for layout review; in Arabic the layout is right to left while the remote
 * picture is never mirrored (no transform, and the left half of the shared screen is on the
 * left). The language picker switches at once, its choice is saved on the server (it survives
 * a reload and a new sign-in in a browser set to English) and "Browser default" goes back to
 * the browser's language. The embedded provider's sign-in page follows the app's language.
 * The agent window (the native agent started with `--language`) in the same four languages:
 * `<html lang dir>`, its own catalog's text on every screen from sign-in to the end of a session,
 * the sharing bar mirrored in Arabic and its screen preview never mirrored.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import type { LanguageTag } from '@remote-help/protocol';
import { CATALOGS as AGENT_CATALOGS } from '../packages/agent/src/i18n/catalogs.js';
import { openPainter } from '../packages/agent/src/testing/xpainter.js';
import { languageOf } from '../packages/server/src/identity/i18n/index.js';
import { E2E_URL } from '../playwright.config.js';
import { agent, agentDesktop, stopAgent, WINDOW_URL } from './agent/agentProcess.js';
import { closeContexts, remoteScreen, framesDecoded, PASSWORD, shot, signIn } from './support.js';

test.afterEach(closeContexts);

type Catalog = Record<string, unknown>;
const catalogs = new Map<string, Catalog>();
/** The translation of `key` in `language`, from the same locale file the app loads. */
function tr(language: string, key: string): string {
  if (!catalogs.has(language)) {
    const file = new URL(`../packages/web/src/i18n/locales/${language}.json`, import.meta.url);
    catalogs.set(language, JSON.parse(readFileSync(file, 'utf8')) as Catalog);
  }
  const value = key.split('.').reduce<unknown>((node, part) => (node as Catalog)[part], catalogs.get(language));
  if (typeof value !== 'string') throw new Error(`${language}: no ${key}`);
  return value;
}

const LANGS = [
  { tag: 'en', dir: 'ltr' },
  { tag: 'ar', dir: 'rtl' },
  { tag: 'ja', dir: 'ltr' },
  { tag: 'de', dir: 'ltr' },
] as const;

/**
 * The sharer's screen, known pixel by pixel: left half red, right half blue (the browser's own
 * capture picker cannot be driven headless with chosen content; the rest of the path is real).
 */
async function knownScreen(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 400;
      const g = canvas.getContext('2d')!;
      const draw = () => {
        g.fillStyle = '#ff0000';
        g.fillRect(0, 0, 320, 400);
        g.fillStyle = '#0000ff';
        g.fillRect(320, 0, 320, 400);
      };
      draw();
      setInterval(draw, 100);
      return canvas.captureStream(10);
    };
  });
}

/** The shown picture's colour at a fraction of its width, on its middle line, as the screen shows it. */
async function colourAt(page: Page, fraction: number): Promise<{ r: number; g: number; b: number }> {
  const png = await remoteScreen(page).screenshot();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const x = Math.floor(info.width * fraction);
  const y = Math.floor(info.height / 2);
  const at = (y * info.width + x) * info.channels;
  return { r: data[at]!, g: data[at + 1]!, b: data[at + 2]! };
}

async function expectLanguage(page: Page, tag: string, dir: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', tag);
  await expect(page.locator('html')).toHaveAttribute('dir', dir);
}

/** Signs in once in English and keeps the cookies for contexts in other languages. */
async function signedInState(browser: Browser, path: string, email: string) {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, path, email);
  const state = await context.storageState();
  await context.close();
  return state;
}

test('helper, sharer and admin center in English, Arabic, Japanese and German; the picture never mirrored', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const helperState = await signedInState(browser, '/help', 'helper@contoso.example');
  const sharerState = await signedInState(browser, '/share', 'sharer@contoso.example');
  const adminState = await signedInState(browser, '/admin', 'admin@contoso.example');

  for (const { tag, dir } of LANGS) {
    // The embedded provider's sign-in page speaks the app's language (ui_locales).
    const visitor = await (await browser.newContext({ locale: tag })).newPage();
    await visitor.goto('/help');
    await visitor.getByRole('button', { name: tr(tag, 'signIn.button'), exact: true }).click();
    await visitor.waitForURL(/\/signin\//);
    await expectLanguage(visitor, tag, dir);
    await expect(visitor.getByRole('heading', { name: languageOf(tag).t('signIn.title'), exact: true })).toBeVisible();
    await expect(visitor.getByLabel(languageOf(tag).t('signIn.password'))).toBeVisible();
    await shot(visitor, `lang-${tag}-00-sign-in`);
    await visitor.context().close();

    const helper = await (await browser.newContext({ locale: tag, storageState: helperState })).newPage();
    const sharerContext = await browser.newContext({ locale: tag, storageState: sharerState });
    await knownScreen(sharerContext);
    const sharer = await sharerContext.newPage();

    // Helper app: start and code screens.
    await helper.goto('/help');
    await expectLanguage(helper, tag, dir);
    await expect(helper.getByRole('heading', { name: tr(tag, 'helper.title'), exact: true })).toBeVisible();
    await expect(helper.getByTestId('language-picker')).toBeVisible();
    await shot(helper, `lang-${tag}-01-helper-start`);
    await helper.getByRole('button', { name: tr(tag, 'helper.start.button') }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    const code = (await codeBox.textContent())!.replace(/\D/g, '');
    await shot(helper, `lang-${tag}-02-helper-code`);

    // Sharer web app: code entry, then sharing.
    await sharer.goto('/share');
    await expectLanguage(sharer, tag, dir);
    await expect(sharer.getByRole('heading', { name: tr(tag, 'sharer.title'), exact: true })).toBeVisible();
    await sharer.getByLabel(tr(tag, 'sharer.start.label')).fill(code);
    await shot(sharer, `lang-${tag}-03-sharer-code`);
    await sharer.getByRole('button', { name: tr(tag, 'sharer.start.submit') }).click();
    await expect(helper.getByTestId('peer-card')).toBeVisible();
    await helper.getByRole('button', { name: tr(tag, 'helper.trust.viewOnly'), exact: true }).click();
    await sharer.getByRole('button', { name: tr(tag, 'sharer.prompt.allow'), exact: true }).click();
    await expect(helper.getByTestId('remote-video')).toBeVisible();
    await expect.poll(() => framesDecoded(helper), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect(sharer.getByTestId('sharing')).toBeVisible();

    // The picture is never mirrored: no transform on it or around it, left to right inside,
    // and the left (red) half of the shared screen is on the left however the page runs.
    const layout = await remoteScreen(helper).evaluate((element) => {
      const transforms: string[] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const t = getComputedStyle(node).transform;
        if (t !== 'none') transforms.push(t);
      }
      return { transforms, direction: getComputedStyle(element).direction };
    });
    expect(layout).toEqual({ transforms: [], direction: 'ltr' });
    await expect.poll(async () => (await colourAt(helper, 0.3)).r, { timeout: 15_000 }).toBeGreaterThan(180);
    const left = await colourAt(helper, 0.3);
    const right = await colourAt(helper, 0.7);
    expect(left.r > 180 && left.b < 80, JSON.stringify(left)).toBe(true);
    expect(right.b > 180 && right.r < 80, JSON.stringify(right)).toBe(true);
    // The toolbar and the chat panel mirror in right to left: Leave at the toolbar's left end
    // and the chat on the left of the picture; the other way round in left to right.
    const picture = (await remoteScreen(helper).boundingBox())!;
    const chat = (await helper.getByTestId('chat-panel').boundingBox())!;
    const leave = (await helper
      .getByRole('button', { name: tr(tag, 'common.leave') })
      .first()
      .boundingBox())!;
    const middle = picture.x + picture.width / 2;
    expect(chat.x < picture.x, 'chat on the left').toBe(dir === 'rtl');
    expect(leave.x + leave.width / 2 < middle, 'Leave on the left').toBe(dir === 'rtl');
    await shot(helper, `lang-${tag}-04-helper-remote-view`);
    await shot(sharer, `lang-${tag}-05-sharer-sharing`);
    await sharer
      .getByRole('button', { name: tr(tag, 'common.leave') })
      .first()
      .click();
    await expect(helper.getByTestId('session-ended')).toBeVisible();
    await helper.context().close();
    await sharerContext.close();

    // Admin center: devices, a person's page, Remote Help settings.
    const admin = await (await browser.newContext({ locale: tag, storageState: adminState })).newPage();
    await admin.goto('/admin/devices');
    await expectLanguage(admin, tag, dir);
    await expect(admin.getByRole('heading', { name: tr(tag, 'admin.devices.title'), exact: true })).toBeVisible();
    await shot(admin, `lang-${tag}-06-admin-devices`);
    await admin.goto('/admin/directory/users');
    await admin.getByRole('link', { name: 'Lena Fischer' }).first().click();
    await expect(admin.getByRole('heading', { name: 'Lena Fischer', exact: true })).toBeVisible();
    await shot(admin, `lang-${tag}-07-admin-user`);
    await admin.goto('/admin/tenant/remote-help');
    await expect(
      admin.getByRole('heading', { name: tr(tag, 'admin.tenant.settings.title'), exact: true }),
    ).toBeVisible();
    await shot(admin, `lang-${tag}-08-admin-settings`);
    await admin.context().close();
  }
});

test('the language picker switches at once, is remembered on the server, and Browser default follows the browser', async ({
  browser,
}) => {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(page, '/help', 'helper@fabrikam.example');
  await expectLanguage(page, 'en', 'ltr');

  const choose = async (name: string) => {
    await page.getByTestId('language-picker').click();
    await page.getByRole('menuitemradio', { name, exact: true }).click();
  };
  await page.getByTestId('language-picker').click();
  await expect(page.getByRole('menuitemradio').first()).toHaveText(tr('en', 'topBar.browserDefault'));
  await expect(page.getByRole('menuitemradio')).toHaveCount(35);
  await shot(page, 'lang-10-picker-open');
  await page.keyboard.press('Escape');

  await choose('Deutsch');
  await expectLanguage(page, 'de', 'ltr');
  await expect(page.getByRole('heading', { name: tr('de', 'helper.title'), exact: true })).toBeVisible();
  await expect(page.getByTestId('language-picker')).toHaveText('Deutsch');
  await expect.poll(async () => (await (await page.request.get('/api/v1/me')).json()).language).toBe('de');

  await page.reload();
  await expectLanguage(page, 'de', 'ltr');
  await expect(page.getByRole('heading', { name: tr('de', 'helper.title'), exact: true })).toBeVisible();

  // A new sign-in in a browser set to English: the saved choice wins.
  const again = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await signIn(again, '/help', 'helper@fabrikam.example');
  await expectLanguage(again, 'de', 'ltr');
  await expect(again.getByRole('heading', { name: tr('de', 'helper.title'), exact: true })).toBeVisible();

  await choose('العربية');
  await expectLanguage(page, 'ar', 'rtl');
  await expect(page.getByRole('heading', { name: tr('ar', 'helper.title'), exact: true })).toBeVisible();
  // Fluent follows: the top bar's picker sits on the left in right to left.
  const bar = await page.locator('header').boundingBox();
  const picker = await page.getByTestId('language-picker').boundingBox();
  expect(picker!.x + picker!.width / 2).toBeLessThan(bar!.x + bar!.width / 2);
  await shot(page, 'lang-11-picker-arabic');

  await choose(tr('ar', 'topBar.browserDefault'));
  await expectLanguage(page, 'en', 'ltr');
  await expect(page.getByRole('heading', { name: tr('en', 'helper.title'), exact: true })).toBeVisible();
  await expect.poll(async () => (await (await page.request.get('/api/v1/me')).json()).language).toBeNull();
  await page.reload();
  await expectLanguage(page, 'en', 'ltr');
});

/** The agent's catalog string `key` in `language`, with `{name}` placeholders filled. */
function agentText(language: LanguageTag, key: string, values: Record<string, string> = {}): string {
  const text = AGENT_CATALOGS[language][key];
  if (text === undefined) throw new Error(`agent ${language}: no ${key}`);
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
}

/** The colour of the agent window's screen preview at `fraction` of its width, half way down. */
async function previewColourAt(win: Page, fraction: number): Promise<{ r: number; g: number; b: number }> {
  const png = await win.locator('#preview').screenshot();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width * fraction)) * info.channels;
  return { r: data[at]!, g: data[at + 1]!, b: data[at + 2]! };
}

test('the agent window in English, Arabic, Japanese and German; its preview never mirrored', async ({ browser }) => {
  // Four real agents, sign-ins and sessions one after the other (each takes a minute or more on a busy machine).
  test.setTimeout(900_000);
  for (const { tag, dir } of LANGS) {
    const helper = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await signIn(helper, '/help', 'helper@contoso.example');
    const desktop = await agentDesktop(`rh-lang-agent-${tag}-`);
    // The shared screen, known pixel by pixel: left half red, right half blue.
    const painter = await openPainter(desktop.env['DISPLAY']!);
    await painter.fill(0, 0, 640, 720, 0xff0000);
    await painter.fill(640, 0, 640, 720, 0x0000ff);
    // The system language says Japanese; --language wins.
    const run = agent(['share', '--no-window', '--server', E2E_URL, '--language', tag], {
      ...desktop.env,
      LANG: 'ja_JP.UTF-8',
    });
    try {
      await expect.poll(() => WINDOW_URL.exec(run.output())?.[0] ?? '', { timeout: 30_000 }).not.toBe('');
      const win = await (await browser.newContext({ viewport: { width: 560, height: 900 } })).newPage();
      await win.goto(WINDOW_URL.exec(run.output())?.[0] as string);
      await expectLanguage(win, tag, dir);
      await expect(win).toHaveTitle(agentText(tag, 'appName'));
      await expect(win.getByRole('heading', { name: agentText(tag, 'signInTitle') })).toBeVisible();
      await shot(win, `lang-agent-${tag}-01-sign-in`);

      await win.getByRole('button', { name: agentText(tag, 'signIn'), exact: true }).click();
      await expect(win.getByRole('heading', { name: agentText(tag, 'signingInTitle') })).toBeVisible();
      await expect.poll(() => desktop.opened().at(-1) ?? '', { timeout: 10_000 }).toContain('/oidc/auth');
      const idp = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await idp.goto(desktop.opened().at(-1) as string);
      await idp.getByLabel('Email').fill('sharer@contoso.example');
      await idp.getByLabel('Password').fill(PASSWORD);
      await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(win.getByRole('heading', { name: agentText(tag, 'codeTitle') })).toBeVisible();
      // A wrong code is refused in the language.
      await win.getByLabel(agentText(tag, 'codeLabel')).fill('123');
      await win.getByRole('button', { name: agentText(tag, 'submit') }).click();
      await expect(win.locator('#error')).toHaveText(agentText(tag, 'codeInvalidFormat'));
      await shot(win, `lang-agent-${tag}-02-enter-code`);

      await helper.getByRole('button', { name: 'Get a security code' }).click();
      const codeBox = helper.getByTestId('security-code');
      await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
      await win.getByLabel(agentText(tag, 'codeLabel')).fill((await codeBox.textContent())!.replace(/\D/g, ''));
      await win.getByRole('button', { name: agentText(tag, 'submit') }).click();
      await expect(win.getByRole('heading', { name: agentText(tag, 'trustTitle') })).toBeVisible();
      await expect(win.locator('#waiting-text')).toHaveText(
        agentText(tag, 'waitingForRequest', { name: 'Daniel Okafor' }),
      );
      await shot(win, `lang-agent-${tag}-03-trust`);

      await helper.getByRole('button', { name: 'View only' }).click();
      await expect(
        win.getByRole('heading', { name: agentText(tag, 'requestView', { name: 'Daniel Okafor' }) }),
      ).toBeVisible();
      await shot(win, `lang-agent-${tag}-04-request`);
      await win.getByRole('button', { name: agentText(tag, 'allow') }).click();
      await expect(win.locator('#mode-text')).toHaveText(agentText(tag, 'modeView', { name: 'Daniel Okafor' }));
      await expect(win.locator('#sharing-text')).toHaveText(agentText(tag, 'sharingBar', { name: 'Daniel Okafor' }));
      const stop = win.getByRole('button', { name: agentText(tag, 'stopSharing') });
      await expect(stop).toBeVisible();
      // The bar mirrors: its buttons run from the right in right to left (Stop sharing, the last, leftmost).
      const stopBox = (await stop.boundingBox())!;
      const pauseBox = (await win.locator('#pause').boundingBox())!;
      if (dir === 'rtl') expect(stopBox.x + stopBox.width).toBeLessThanOrEqual(pauseBox.x + 1);
      else expect(stopBox.x).toBeGreaterThanOrEqual(pauseBox.x + pauseBox.width - 1);
      // The preview is the screen as it is in every language: red on the left, blue on the right.
      await expect.poll(async () => (await previewColourAt(win, 0.25)).r, { timeout: 15_000 }).toBeGreaterThan(200);
      expect((await previewColourAt(win, 0.25)).b).toBeLessThan(60);
      expect((await previewColourAt(win, 0.75)).b).toBeGreaterThan(200);
      expect((await previewColourAt(win, 0.75)).r).toBeLessThan(60);
      await expect(win.locator('#preview')).toHaveCSS('transform', 'none');
      // Nothing in the window overflows its width (clipped or pushed-out text).
      expect(
        await win.evaluate(() =>
          Array.from(document.querySelectorAll('body *'))
            .filter((el) => (el as HTMLElement).offsetParent !== null && el.clientWidth > 1)
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .filter((el) => getComputedStyle(el).overflowX === 'visible' || getComputedStyle(el).overflowX === 'hidden')
            .map((el) => `${el.tagName}#${el.id}.${el.className}`),
        ),
      ).toEqual([]);
      await shot(win, `lang-agent-${tag}-05-sharing`);

      await stop.click();
      await expect(win.getByRole('heading', { name: agentText(tag, 'endedTitle') })).toBeVisible();
      await expect(win.locator('#ended-text')).toHaveText(agentText(tag, 'endReasons.sharer_left'));
      await shot(win, `lang-agent-${tag}-06-ended`);
    } finally {
      await stopAgent(run.child);
      await helper.context().close();
      await painter.close();
      await desktop.stop();
    }
  }
});
