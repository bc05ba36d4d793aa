/**
 * Shared steps for the browser journeys: sign in through the embedded IdP's real page,
 * start a session as helper, join it as sharer, save screenshots to look at.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export const PASSWORD = 'e2e-demo-password';
const SHOTS = 'e2e/screenshots';
mkdirSync(SHOTS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Opens `path`, signs in as `email` through the IdP's sign-in page, and returns on `path`. */
export async function signIn(page: Page, path: string, email: string, screenshot?: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  if (screenshot) await shot(page, screenshot);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === path);
}

export interface Pair {
  helper: Page;
  sharer: Page;
  code: string;
}

/** Helper (Contoso) gets a code, sharer enters it; both are on the trust screen. */
export async function joinedPair(
  browser: Browser,
  sharerEmail = 'sharer@contoso.example',
  shots = false,
): Promise<Pair> {
  const helper = await (await browser.newContext()).newPage();
  const sharer = await (await browser.newContext()).newPage();
  await signIn(helper, '/help', 'helper@contoso.example', shots ? '01-idp-sign-in' : undefined);
  if (shots) await shot(helper, '02-helper-start');
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  const codeBox = helper.getByTestId('security-code');
  await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
  const code = (await codeBox.textContent())!.replace(/\D/g, '');
  if (shots) await shot(helper, '03-helper-code');

  await signIn(sharer, '/share', sharerEmail);
  await sharer.getByLabel('Security code').fill(code);
  if (shots) await shot(sharer, '04-sharer-code');
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(helper.getByTestId('peer-card')).toBeVisible();
  await expect(sharer.getByTestId('peer-card')).toBeVisible();
  return { helper, sharer, code };
}

/** Decoded frames of the helper's remote video (Chromium's counter on the element). */
export async function framesDecoded(page: Page): Promise<number> {
  return page
    .getByTestId('remote-video')
    .evaluate((v) => (v as HTMLVideoElement & { webkitDecodedFrameCount: number }).webkitDecodedFrameCount);
}

/** Helper requests View only; sharer allows; frames flow. */
export async function startViewing(pair: Pair, shots = false): Promise<void> {
  await pair.helper.getByRole('button', { name: 'View only' }).click();
  await expect(pair.sharer.getByRole('button', { name: 'Allow' })).toBeVisible();
  if (shots) await shot(pair.sharer, '07-sharer-request');
  await pair.sharer.getByRole('button', { name: 'Allow' }).click();
  await expect(pair.helper.getByTestId('remote-video')).toBeVisible();
  await expect.poll(() => framesDecoded(pair.helper), { timeout: 20_000 }).toBeGreaterThan(0);
}

/** The page point that shows the normalized video point (x, y) inside the helper's letterboxed video. */
export function pagePointFor(helper: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return helper.getByTestId('remote-video').evaluate(
    (video, target) => {
      const v = video as HTMLVideoElement;
      const r = v.getBoundingClientRect();
      const scale = Math.min(r.width / v.videoWidth, r.height / v.videoHeight);
      const left = r.left + (r.width - v.videoWidth * scale) / 2;
      const top = r.top + (r.height - v.videoHeight * scale) / 2;
      return { x: left + target.x * v.videoWidth * scale, y: top + target.y * v.videoHeight * scale };
    },
    { x, y },
  );
}
