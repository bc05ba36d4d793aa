/**
 * Timing the first frame after Allow from the pages themselves (wall-clock times of the same
 * machine, so two browsers in two network namespaces compare): the helper page records when
 * its remote canvas first shows a complete tile frame, the agent window when Allow was
 * clicked. Waited for inside the page, not polled from the test: a poll's locator queries run
 * in the helper page and force a layout of the whole app in the very window being measured
 * (a CPU profile of the page showed ~40 ms of them between Allow and the first frame).
 */
import type { Locator, Page } from '@playwright/test';

/** Starts watching `helper` for its first complete frame (before Allow is clicked). */
export async function watchFirstFrame(helper: Page): Promise<void> {
  await helper.evaluate(() => {
    const w = window as unknown as { firstFrame?: Promise<number> };
    let seen: (at: number) => void = () => undefined;
    w.firstFrame = new Promise<number>((resolve) => (seen = resolve));
    const observer = new MutationObserver(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="remote-canvas"]');
      if (canvas && Number(canvas.dataset.frames ?? 0) > 0) {
        seen(Date.now());
        observer.disconnect();
      }
    });
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-frames'],
    });
  });
}

/** Clicks Allow, waits for the helper's first frame (up to `timeoutMs`), and returns both wall-clock times. */
export async function allowAndTimeFirstFrame(
  helper: Page,
  allow: Locator,
  timeoutMs = 20_000,
): Promise<{ allowAt: number; firstFrameAt: number }> {
  await allow.evaluate((button) =>
    button.addEventListener('click', () => ((window as unknown as { allowAt: number }).allowAt = Date.now()), {
      capture: true,
    }),
  );
  await allow.click();
  const firstFrameAt = await helper.evaluate(
    (ms) =>
      Promise.race([
        (window as unknown as { firstFrame: Promise<number> }).firstFrame,
        new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`no frame within ${ms} ms`)), ms)),
      ]),
    timeoutMs,
  );
  const allowAt = await allow.page().evaluate(() => (window as unknown as { allowAt: number }).allowAt);
  return { allowAt, firstFrameAt };
}
