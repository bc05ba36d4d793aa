/**
 * The embedded provider's sign-in pages (issue 10) in a real browser, in Arabic and Japanese: the
 * password page, the authenticator-code page with a refused code, and the multi-factor set-up
 * that a conditional-access policy asks for. Each page is in the browser's language
 * (`Accept-Language` from the context's `locale`), has `<html lang dir>` (right to left in
 * Arabic), overflows nowhere (no text clipped by its box, no sideways scrolling), and is
 * screenshotted for layout review (`e2e/screenshots/signin-<tag>-*.png`).
 */
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { languageOf } from '../packages/server/src/identity/i18n/index.js';
import { totpAt } from '../packages/server/src/identity/mfa/totp.js';
import { closeContexts, PASSWORD, shot, signIn } from './support.js';

test.afterEach(closeContexts);

const LANGS = [
  { tag: 'ar', dir: 'rtl' },
  { tag: 'ja', dir: 'ltr' },
] as const;

/** `<html lang dir>`, and no element whose text is cut off by its own box or the window. */
async function expectLaidOut(page: Page, tag: string, dir: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', tag);
  await expect(page.locator('html')).toHaveAttribute('dir', dir);
  const clipped = await page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      out.push(`page scrolls sideways (${root.scrollWidth} > ${root.clientWidth})`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *'))) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        out.push(`${el.tagName}.${el.className}: ${el.textContent?.slice(0, 40)}`);
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.left < -1 || box.right > window.innerWidth + 1))
        out.push(`${el.tagName} outside the window: ${el.textContent?.slice(0, 40)}`);
    }
    return out;
  });
  expect(clipped).toEqual([]);
}

test('sign-in, authenticator code and multi-factor set-up in Arabic and Japanese', async ({ browser }) => {
  test.setTimeout(360_000);
  // The administrator makes the people: one per language with an authenticator app, one whom a
  // policy asks to set one up.
  const adminContext = await browser.newContext({ locale: 'en-US' });
  const admin = await adminContext.newPage();
  await signIn(admin, '/admin', 'admin@contoso.example');
  const csrf = ((await (await admin.request.get('/api/v1/me')).json()) as { csrfToken: string }).csrfToken;
  const api = async (path: string, data: unknown, page = admin, token = csrf) => {
    const r = await page.request.post(path, { data, headers: { 'x-csrf-token': token } });
    expect(r.status(), await r.text()).toBeLessThan(300);
    return (await r.json()) as Record<string, unknown>;
  };
  const run = Date.now();
  const people = new Map<string, { mfa: string; secret: string; setup: string }>();
  const setupIds: string[] = [];
  for (const { tag } of LANGS) {
    const mfa = `signin-mfa-${tag}-${run}@contoso.example`;
    const setup = `signin-setup-${tag}-${run}@contoso.example`;
    await api('/api/v1/users', { email: mfa, displayName: `MFA ${tag}`, password: PASSWORD });
    const created = await api('/api/v1/users', { email: setup, displayName: `Setup ${tag}`, password: PASSWORD });
    setupIds.push((created.user as { id: string }).id);
    // Their authenticator app, enrolled as the account page does.
    const own = await (await browser.newContext({ locale: 'en-US' })).newPage();
    await signIn(own, '/help', mfa);
    const token = ((await (await own.request.get('/api/v1/me')).json()) as { csrfToken: string }).csrfToken;
    const secret = (await api('/api/v1/me/mfa/enrollment', {}, own, token)).secret as string;
    await api('/api/v1/me/mfa/enrollment/confirm', { code: totpAt(secret, Date.now()) }, own, token);
    await own.context().close();
    people.set(tag, { mfa, secret, setup });
  }
  await api('/api/v1/conditional-access/policies', {
    name: 'MFA for the help desk',
    state: 'on',
    users: {
      include: { kind: 'selected', userIds: setupIds, groupIds: [], roleIds: [] },
      exclude: { userIds: [], groupIds: [], roleIds: [] },
    },
    apps: ['helper'],
    conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
    grant: { kind: 'grant', operator: 'all', controls: ['mfa'] },
    session: { signInFrequencyHours: null },
  });

  for (const { tag, dir } of LANGS) {
    const { t } = languageOf(tag);
    const person = people.get(tag)!;
    const page = await (await browser.newContext({ locale: tag })).newPage();
    const password = async (email: string) => {
      await page.goto('/auth/login?returnTo=/help');
      await page.waitForURL(/\/signin\//);
      await page.getByLabel(t('signIn.email')).fill(email);
      await page.getByLabel(t('signIn.password')).fill(PASSWORD);
    };

    await password(person.mfa);
    await expect(page).toHaveTitle(`${t('signIn.title')} – Remote Help`);
    await expect(page.getByRole('heading', { name: t('signIn.title'), exact: true })).toBeVisible();
    await expectLaidOut(page, tag, dir);
    await shot(page, `signin-${tag}-1-password`);

    await page.getByRole('button', { name: t('signIn.submit'), exact: true }).click();
    await expect(page.getByRole('heading', { name: t('mfa.title'), exact: true })).toBeVisible();
    const right = totpAt(person.secret, Date.now());
    await page.getByLabel(t('mfa.code'), { exact: true }).fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: t('mfa.verify'), exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(t('mfa.codeWrong'));
    await expectLaidOut(page, tag, dir);
    await shot(page, `signin-${tag}-2-code`);

    await page.context().clearCookies();
    await password(person.setup);
    await page.getByRole('button', { name: t('signIn.submit'), exact: true }).click();
    await expect(page.getByRole('heading', { name: t('gate.setupTitle'), exact: true })).toBeVisible();
    await expect(page.getByRole('img', { name: t('gate.qrAlt') })).toBeVisible();
    await expectLaidOut(page, tag, dir);
    await shot(page, `signin-${tag}-3-mfa-setup`);
    await page.context().close();
  }
});
