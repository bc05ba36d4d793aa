/**
 * Shared steps for the browser journeys: sign in through the embedded IdP's real page,
 * start a session as helper, join it as sharer, save screenshots to look at.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export const PASSWORD = 'e2e-demo-password';
/** The server's reconnect grace in the e2e runs (`RECONNECT_GRACE_SECONDS` in playwright.config.ts). */
export const E2E_RECONNECT_GRACE_MS = 10_000;
const SHOTS = 'e2e/screenshots';
mkdirSync(SHOTS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  // From the top: a page scrolled down drew its sticky header and side menu mid-page in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  // Transitions run to their end first: a dialog caught fading in looked half transparent.
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, animations: 'disabled' });
}

/** Opens `path`, signs in as `email` through the IdP's sign-in page, and returns on `path`. */
export async function signIn(page: Page, path: string, email: string, screenshot?: string): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/signin\//);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  if (screenshot) await shot(page, screenshot);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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
  /** Runs on the helper's browser context before its page opens (e.g. to route its WebSocket). */
  prepareHelper?: (context: BrowserContext) => Promise<void>,
): Promise<Pair> {
  const helperContext = await browser.newContext();
  await prepareHelper?.(helperContext);
  const helper = await helperContext.newPage();
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

/**
 * The element that shows the sharer's screen in the helper's remote view: the tile canvas
 * when the native agent sends tiles, otherwise the video.
 */
export function remoteScreen(page: Page): Locator {
  return page.getByTestId('remote-canvas').or(page.getByTestId('remote-video'));
}

/**
 * Frames the helper has shown: complete tile frames of the canvas (its `data-frames`), or
 * the decoded frames of the video (Chromium's counter on the element).
 */
export async function framesDecoded(page: Page): Promise<number> {
  return remoteScreen(page).evaluate((element) =>
    element instanceof HTMLCanvasElement
      ? Number(element.dataset.frames ?? 0)
      : (element as HTMLVideoElement & { webkitDecodedFrameCount: number }).webkitDecodedFrameCount,
  );
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

/** The page point that shows the normalized point (x, y) of the remote screen inside the helper's letterboxed picture. */
export function pagePointFor(helper: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return remoteScreen(helper).evaluate(
    (element, target) => {
      const [width, height] =
        element instanceof HTMLCanvasElement
          ? [element.width, element.height]
          : [(element as HTMLVideoElement).videoWidth, (element as HTMLVideoElement).videoHeight];
      const r = element.getBoundingClientRect();
      const scale = Math.min(r.width / width, r.height / height);
      const left = r.left + (r.width - width * scale) / 2;
      const top = r.top + (r.height - height * scale) / 2;
      return { x: left + target.x * width * scale, y: top + target.y * height * scale };
    },
    { x, y },
  );
}

/**
 * Keeps every `RTCPeerConnection` the context's pages create in `window.__peers`, so a test
 * can read what arrived on the wire (`getStats()`). Call before the page opens.
 */
export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const peers: RTCPeerConnection[] = [];
    (window as unknown as { __peers: RTCPeerConnection[] }).__peers = peers;
    window.RTCPeerConnection = class extends Original {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        peers.push(this);
      }
    };
  });
}

/** Video received by the page's newest peer connection: RTP payload bytes and decoded frames (`inbound-rtp`). */
export async function inboundVideo(page: Page): Promise<{ bytes: number; frames: number }> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers?: RTCPeerConnection[] }).__peers ?? [];
    const pc = peers.at(-1);
    if (!pc) return { bytes: 0, frames: 0 };
    let bytes = 0;
    let frames = 0;
    (await pc.getStats()).forEach(
      (report: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
        if (report.type !== 'inbound-rtp' || report.kind !== 'video') return;
        bytes += report.bytesReceived ?? 0;
        frames += report.framesDecoded ?? 0;
      },
    );
    return { bytes, frames };
  });
}

/**
 * Records in the page, with `Date.now()`, when the helper's picture changes state (the status
 * badge's `data-picture`), so a test can time a notice from an action in another page.
 */
export async function recordPictureStates(helper: Page): Promise<void> {
  await helper.evaluate(() => {
    const log: { state: string; at: number }[] = [];
    (window as unknown as { __pictureStates: typeof log }).__pictureStates = log;
    const read = () => {
      const state = document.querySelector('[data-testid="connection-status"]')?.getAttribute('data-picture') ?? 'none';
      if (log.at(-1)?.state !== state) log.push({ state, at: Date.now() });
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

/** The picture states recorded by {@link recordPictureStates}, oldest first. */
export function pictureStates(helper: Page): Promise<{ state: string; at: number }[]> {
  return helper.evaluate(
    () => (window as unknown as { __pictureStates: { state: string; at: number }[] }).__pictureStates,
  );
}

/**
 * Closes every browser context a test opened (`test.afterEach(closeContexts)` in each spec).
 * Pages left open keep their WebSockets, and one person may hold only 16 at once: journeys
 * that ran earlier must not use up a later journey's sockets.
 */
export async function closeContexts({ browser }: { browser: Browser }): Promise<void> {
  await Promise.all(browser.contexts().map((context) => context.close()));
}
