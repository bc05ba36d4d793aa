/**
 * The agent window in other languages (issue 10): the UI server started in Arabic and in
 * Japanese serves `<html lang dir>` and that language's strings, and the page as Chromium renders
 * it shows them (right to left in Arabic, with the screen preview left to right).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import type { LanguageTag } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGS } from '../i18n/catalogs.js';
import { WindowClient } from '../testing/windowClient.js';
import type { UiController, UiState } from './model.js';
import { UiServer } from './uiServer.js';

const CHROMIUM = '/usr/bin/chromium';

const state: UiState = {
  screen: 'sharing',
  server: 'https://help.example.com',
  account: { name: 'Lena Fischer', email: 'lena@contoso.example' },
  helper: {
    displayName: 'Adele Vance',
    jobTitle: null,
    company: 'Contoso',
    email: 'adele@contoso.example',
    tenantName: 'Contoso',
    verifiedDomain: 'contoso.example',
    assertedDomain: null,
    hasPhoto: false,
  },
  request: null,
  mode: 'control',
  controlActive: true,
  hotkey: true,
  paused: false,
  displayLost: false,
  inputUnavailable: false,
  rejoined: false,
  media: 'connected',
  connectionCheck: '0123 4567 8901',
  laser: { x: 0.25, y: 0.5 },
  endReason: null,
  error: { code: 'rate_limited', retryAfterSeconds: 3 },
  busy: false,
  previewVersion: 1,
  chatVersion: 0,
  deviceRevoked: null,
};

const controller: UiController = {
  state: () => state,
  subscribe: () => () => {},
  command: async () => {},
  helperPhoto: async () => null,
  // Left half red, right half blue.
  preview: () => ({ width: 2, height: 1, rgba: Uint8Array.of(255, 0, 0, 255, 0, 0, 255, 255) }),
  chat: () => null,
};

const fill = (text: string | undefined, values: Record<string, string>): string =>
  String(text).replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');

describe.each([
  { language: 'ar' as LanguageTag, dir: 'rtl' },
  { language: 'ja' as LanguageTag, dir: 'ltr' },
])('the agent window in $language', ({ language, dir }) => {
  let ui: UiServer;
  let browser: Browser | null = null;
  const catalog = CATALOGS[language];
  beforeAll(async () => {
    ui = await UiServer.start({ controller, language });
  });
  afterAll(async () => {
    await browser?.close();
    await ui.close();
  });

  it('serves <html lang dir>, the title and the strings of the language', async () => {
    const window = await WindowClient.open(ui.launchUrl());
    const page = await (await window.get('/')).text();
    expect(page).toContain(`<html lang="${language}" dir="${dir}">`);
    const strings = (await (await window.get('/api/strings')).json()) as Record<string, string>;
    expect(strings['allow']).toBe(catalog['allow']);
    expect(strings['allow']).not.toBe('Allow');
    expect(strings['stopSharing']).toBe(catalog['stopSharing']);
    // Every plural form the language has reaches the page; nothing of the command line does.
    for (const category of new Intl.PluralRules(language).resolvedOptions().pluralCategories) {
      expect(strings[`errors.rate_limited_${category}`]).toBe(catalog[`errors.rate_limited_${category}`]);
    }
    expect(Object.keys(strings).filter((key) => key.startsWith('cli.'))).toEqual([]);
  });

  it.skipIf(!existsSync(CHROMIUM))('renders translated text, mirrored in right to left, the preview not', async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
    await page.goto(ui.launchUrl());
    await expect
      .poll(() => page.locator('#mode-text').textContent())
      .toBe(fill(catalog['modeControl'], { name: 'Adele Vance' }));
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      language,
      dir,
    ]);
    expect(await page.locator('#stop-sharing').textContent()).toBe(catalog['stopSharing']);
    expect(await page.locator('#sharing-text').textContent()).toBe(
      fill(catalog['sharingBar'], { name: 'Adele Vance' }),
    );
    // Plural and digits of the language: "3 seconds" chosen by Intl.PluralRules, written by Intl.NumberFormat.
    const category = new Intl.PluralRules(language).select(3);
    const seconds = await page.evaluate((tag) => new Intl.NumberFormat(tag).format(3), language);
    expect(await page.locator('#error').textContent()).toBe(
      fill(catalog[`errors.rate_limited_${category}`], { count: seconds }),
    );
    expect(await page.title()).toBe(catalog['appName']);

    // The bar's buttons sit at the end of the line: on the left in right to left.
    const bar = (await page.locator('#sharing-bar').boundingBox())!;
    const stop = (await page.locator('#stop-sharing').boundingBox())!;
    const text = (await page.locator('#sharing-text').boundingBox())!;
    if (dir === 'rtl') expect(stop.x).toBeLessThan(text.x);
    else expect(stop.x).toBeGreaterThan(text.x);
    expect(stop.x + stop.width).toBeLessThanOrEqual(bar.x + bar.width + 1);

    // The preview is the screen as it is: red on the left, the laser a quarter of the way from the left.
    await expect.poll(() => page.locator('#preview').getAttribute('width')).toBe('2');
    const preview = await page.evaluate(() => {
      const canvas = document.getElementById('preview') as HTMLCanvasElement;
      const box = canvas.getBoundingClientRect();
      const laser = document.getElementById('laser')!.getBoundingClientRect();
      const style = getComputedStyle(canvas);
      const left = canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data;
      return {
        transform: style.transform,
        direction: getComputedStyle(canvas.parentElement!).direction,
        leftRed: left[0] === 255 && left[2] === 0,
        laserFraction: (laser.left + laser.width / 2 - box.left) / box.width,
      };
    });
    expect(preview).toMatchObject({ transform: 'none', direction: 'ltr', leftRed: true });
    expect(preview.laserFraction).toBeCloseTo(0.25, 1);

    // The connection check: the language's label and explanation, the digits left to right in every language.
    expect(await page.locator('#check').isVisible()).toBe(true);
    expect(await page.locator('#check [data-t="checkLabel"]').textContent()).toBe(catalog['checkLabel']);
    expect(await page.locator('#check .check-info').textContent()).toBe(
      fill(catalog['checkInfo'], { name: 'Adele Vance' }),
    );
    const digits = page.locator('#check .check-digits');
    expect(await digits.textContent()).toBe('0123 4567 8901');
    expect(await digits.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
  });
});
