/**
 * The agent on a Wayland desktop (Weston's headless compositor with XWayland, as GNOME or KDE
 * Plasma run one): its window says at once that this desktop cannot be shared from the app and
 * where to go instead (this server's sharer web app), and refuses the helper's code with the
 * same words, leaving the code unspent; the helper still waits for their sharer.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2E_URL } from '../../playwright.config.js';
import { startWaylandSession } from '../../packages/agent/src/testing/weston.js';
import { closeContexts, shot } from '../support.js';
import { openAgentWindow, redeemHelperCode, signInAgentWindow, startAgent } from './desktop.js';

test.afterEach(closeContexts);

test('on a Wayland desktop the agent tells the sharer to use the browser and keeps the code unspent', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const wayland = await startWaylandSession();
  const agent = await startAgent(E2E_URL, wayland.display);
  try {
    const sharerWebApp = `${E2E_URL}/share`;
    const said = (win: Page) => win.getByText('This computer runs a Wayland desktop');
    const win = await openAgentWindow(browser, agent);
    await expect(said(win)).toBeVisible();
    await expect(said(win)).toContainText(sharerWebApp);
    await shot(win, '96-agent-wayland-signed-out');

    await signInAgentWindow(browser, agent, win);
    const helper = await redeemHelperCode(browser, win);
    await expect(said(win)).toBeVisible();
    await expect(win.getByLabel('Security code')).toBeVisible();
    await shot(win, '97-agent-wayland-code-refused');
    // The helper's page still shows the code, waiting: nobody joined.
    await expect(helper.getByTestId('security-code')).toBeVisible();
  } catch (error) {
    console.log(agent.output());
    throw error;
  } finally {
    await agent.stop();
    await wayland.stop();
  }
});
