/**
 * Session resilience seen by people: what a reload, a late message or a new session
 * leaves on screen. Real server, real browsers; the helper's WebSocket is routed through
 * Playwright only to hold its messages back and so make a race deterministic.
 */
import type { WebSocketRoute } from '@playwright/test';
import { expect, test } from '@playwright/test';
import {
  framesDecoded,
  inboundVideo,
  joinedPair,
  pictureStates,
  recordPeerConnections,
  recordPictureStates,
  shot,
  signIn,
  startViewing,
  closeContexts,
} from './support.js';

test.afterEach(closeContexts);

test('an error about an ended session never survives it: not on the ended screen, not after New session', async ({
  browser,
}) => {
  // The race from the field: the sharer leaves while the helper's answer is still on its way,
  // and the server refuses the late answer with `session_ended`. Hold the helper's signaling
  // back until the session has ended, then let it through to the real server.
  let hold = false;
  const held: string[] = [];
  let toServer: WebSocketRoute | undefined;
  const pair = await joinedPair(browser, 'sharer@contoso.example', false, async (context) => {
    await context.routeWebSocket(/\/api\/v1\/ws$/, (page) => {
      const server = page.connectToServer();
      toServer = server;
      page.onMessage((message) => {
        if (hold && typeof message === 'string' && message.includes('"type":"signal"')) held.push(message);
        else server.send(message);
      });
      server.onMessage((message) => page.send(message));
    });
  });
  const { helper, sharer } = pair;
  await startViewing(pair);

  // The sharer reloads and shares again, which offers anew; the helper's answer and ICE
  // candidates go into the held queue; then the sharer leaves.
  hold = true;
  await sharer.reload();
  await sharer.getByRole('button', { name: 'Share screen' }).click();
  await expect.poll(() => held.length, { timeout: 10_000 }).toBeGreaterThan(0);
  await sharer.getByRole('button', { name: 'Leave' }).first().click();
  await expect(helper.getByTestId('session-ended')).toBeVisible();

  // The helper's late signaling reaches the server after the end.
  for (const message of held.splice(0)) toServer!.send(message);
  hold = false;
  // The server answers with session_ended; wait until the page has had time to show it.
  await helper.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
  await expect(helper.getByTestId('server-error')).toHaveCount(0);
  await shot(helper, '20-helper-ended-no-stale-warning');

  await helper.getByRole('button', { name: 'New session' }).click();
  await expect(helper.getByRole('button', { name: 'Get a security code' })).toBeVisible();
  await expect(helper.getByTestId('server-error')).toHaveCount(0);
  await helper.getByRole('button', { name: 'Get a security code' }).click();
  await expect(helper.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
  await expect(helper.getByTestId('server-error')).toHaveCount(0);
  await shot(helper, '21-helper-new-session-clean');
});

test('a helper who closed the tab resumes the waiting session from a new tab, or ends it from the list', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await signIn(first, '/help', 'helper@contoso.example');
  await first.getByRole('button', { name: 'Get a security code' }).click();
  const code = (await first.getByTestId('security-code').textContent())!.replace(/\D/g, '');
  await first.close();

  // A new tab of the same sign-in lists the open session (newest first: other journeys of this
  // helper may have left sessions open too); Resume shows the same code again.
  const tab = await context.newPage();
  await tab.goto('/help');
  const open = tab.getByTestId('open-session').first();
  await expect(open).toContainText('Waiting for the code to be entered');
  await shot(tab, '22-helper-open-sessions');
  await open.getByRole('button', { name: 'Resume' }).click();
  await expect(tab.getByTestId('security-code')).toHaveText(/\d{4}\s?\d{4}/);
  expect((await tab.getByTestId('security-code').textContent())!.replace(/\D/g, '')).toBe(code);

  // The session goes on in the new tab: the sharer enters the code and the helper sees who it is.
  const sharer = await (await browser.newContext()).newPage();
  await signIn(sharer, '/share', 'sharer@contoso.example');
  await sharer.getByLabel('Security code').fill(code);
  await sharer.getByRole('button', { name: 'Submit' }).click();
  await expect(tab.getByTestId('peer-card')).toContainText('Lena Fischer');

  // Another tab lists it as joined and can end it; the sharer learns at once.
  const third = await context.newPage();
  await third.goto('/help');
  const listed = third.getByTestId('open-session').filter({ hasText: 'Lena Fischer joined' });
  await expect(listed).toHaveCount(1);
  await shot(third, '23-helper-open-session-joined');
  await listed.getByRole('button', { name: 'End' }).click();
  await expect(listed).toHaveCount(0);
  await expect(sharer.getByTestId('session-ended')).toBeVisible();
  await expect(tab.getByTestId('session-ended')).toBeVisible();
});

test('a sharer who reloads: the helper reads within 1 s that they are choosing what to share, over a picture marked stale; sharing again makes it live', async ({
  browser,
}) => {
  const pair = await joinedPair(browser);
  const { helper, sharer } = pair;
  await startViewing(pair);
  await expect(helper.getByTestId('connection-status')).toHaveText('Connected');
  await shot(helper, '24-helper-live');
  await recordPictureStates(helper);

  const reloadedAt = Date.now();
  const reloading = sharer.reload();
  const notice = helper.getByTestId('picture-notice');
  await expect(notice).toContainText('Lena Fischer reloaded the page and is choosing what to share', {
    timeout: 10_000,
  });
  await reloading;
  const states = await pictureStates(helper);
  const choosing = states.find((entry) => entry.state === 'choosing' && entry.at >= reloadedAt);
  expect(choosing, JSON.stringify(states)).toBeTruthy();
  const noticeMs = choosing!.at - reloadedAt;
  const firstStale = states.find((entry) => entry.state !== 'live' && entry.at >= reloadedAt);
  console.log(
    `sharer reload → helper reads "choosing" after ${noticeMs} ms (first not-live state "${firstStale?.state}" after ${firstStale!.at - reloadedAt} ms); states: ${states
      .map((entry) => `${entry.state}@${entry.at - reloadedAt}`)
      .join(' ')}`,
  );
  expect(noticeMs).toBeLessThan(1000);
  // The picture is marked stale, never live, from the first change on.
  const afterFirstStale = states.filter((entry) => entry.at >= firstStale!.at);
  expect(afterFirstStale.map((entry) => entry.state)).not.toContain('live');
  await expect(helper.getByTestId('picture-stale')).toHaveAttribute('data-state', 'choosing');
  await expect(helper.getByTestId('picture-stale')).toContainText('Not live');
  await expect(helper.getByTestId('connection-status')).toHaveText('Not live');
  // The sharer's page offers Share screen at once.
  await expect(sharer.getByRole('button', { name: 'Share screen' })).toBeVisible();
  await shot(helper, '25-helper-sharer-choosing');
  await shot(sharer, '26-sharer-share-again');

  await sharer.getByRole('button', { name: 'Share screen' }).click();
  await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 15_000 });
  await expect(helper.getByTestId('picture-stale')).toHaveCount(0);
  await expect(helper.getByTestId('picture-notice')).toHaveCount(0);
  const before = await framesDecoded(helper);
  await expect.poll(() => framesDecoded(helper), { timeout: 10_000 }).toBeGreaterThan(before);
  await expect(helper.getByTestId('session-ended')).toHaveCount(0);
});

test('a sharer page that stays away for 5 s does not end the session; the helper sees them offline within 5 s', async ({
  browser,
}) => {
  const pair = await joinedPair(browser);
  const { helper, sharer } = pair;
  await startViewing(pair);
  const url = sharer.url();
  expect(url).toContain('session=');

  await recordPictureStates(helper);
  const closedAt = Date.now();
  // The page says "choosing" on its way out (it might be a reload); a page that does not come back reads as offline.
  await sharer.close();
  await expect(helper.getByTestId('picture-notice')).toContainText(
    "Lena Fischer's connection dropped. Waiting for them to come back…",
    { timeout: 5000 },
  );
  const offlineMs = Date.now() - closedAt;
  await expect(helper.getByTestId('picture-stale')).toHaveAttribute('data-state', 'offline');
  await expect(helper.getByTestId('connection-status')).toHaveText('Not live');
  await shot(helper, '27-helper-sharer-offline');
  // Away for 5 s in all: the session is still there.
  await helper.waitForTimeout(Math.max(0, 5000 - (Date.now() - closedAt)));
  await expect(helper.getByTestId('session-ended')).toHaveCount(0);
  console.log(
    `sharer page closed: helper shows it offline after ≤ ${offlineMs} ms; back after ${Date.now() - closedAt} ms; states: ${(
      await pictureStates(helper)
    )
      .map((entry) => `${entry.state}@${entry.at - closedAt}`)
      .join(' ')}`,
  );

  const back = await sharer.context().newPage();
  await back.goto(url);
  await back.getByRole('button', { name: 'Share screen' }).click();
  await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 15_000 });
  await expect(helper.getByTestId('picture-stale')).toHaveCount(0);
  const before = await framesDecoded(helper);
  await expect.poll(() => framesDecoded(helper), { timeout: 10_000 }).toBeGreaterThan(before);
  await expect(helper.getByTestId('session-ended')).toHaveCount(0);
});

test('the sharer pauses (no video reaches the helper, who sees "Paused by Lena Fischer") and resumes without a new Allow', async ({
  browser,
}) => {
  const pair = await joinedPair(browser, 'sharer@contoso.example', false, recordPeerConnections);
  const { helper, sharer } = pair;
  await startViewing(pair);
  const flowing = await inboundVideo(helper);
  await expect
    .poll(async () => (await inboundVideo(helper)).frames, { timeout: 10_000 })
    .toBeGreaterThan(flowing.frames);

  await sharer.getByRole('button', { name: 'Pause sharing' }).click();
  await expect(helper.getByTestId('picture-notice')).toHaveText('Paused by Lena Fischer');
  await expect(helper.getByTestId('connection-status')).toHaveText('Paused');
  await expect(helper.getByTestId('picture-stale')).toHaveAttribute('data-state', 'paused');
  await expect(sharer.getByRole('button', { name: 'Resume sharing' })).toBeVisible();
  // Frames already on their way may still land; then nothing more arrives.
  await helper.waitForTimeout(500);
  const paused = await inboundVideo(helper);
  const pausedShown = await framesDecoded(helper);
  await helper.waitForTimeout(3000);
  const later = await inboundVideo(helper);
  console.log(
    `paused 3 s: inbound video bytes ${paused.bytes} → ${later.bytes}, frames ${paused.frames} → ${later.frames}`,
  );
  expect(later.bytes).toBe(paused.bytes);
  expect(later.frames).toBe(paused.frames);
  expect(await framesDecoded(helper)).toBe(pausedShown);
  await shot(helper, '28-helper-paused');
  await shot(sharer, '29-sharer-paused');

  await sharer.getByRole('button', { name: 'Resume sharing' }).click();
  await expect(helper.getByTestId('connection-status')).toHaveText('Connected');
  await expect(helper.getByTestId('picture-stale')).toHaveCount(0);
  await expect.poll(async () => (await inboundVideo(helper)).frames, { timeout: 10_000 }).toBeGreaterThan(later.frames);
  expect((await inboundVideo(helper)).bytes).toBeGreaterThan(later.bytes);
  await expect(sharer.getByRole('button', { name: 'Allow' })).toHaveCount(0);
  await expect(sharer.getByRole('button', { name: 'Pause sharing' })).toBeVisible();
  await shot(helper, '30-helper-resumed');
  await expect(helper.getByTestId('session-ended')).toHaveCount(0);
});

test("the browser's own Stop sharing asks the sharer to choose again instead of ending the session; a device that cannot share is shown so", async ({
  browser,
}) => {
  const pair = await joinedPair(browser);
  const { helper, sharer } = pair;
  await startViewing(pair);
  // What the browser does when its "Stop sharing" bar is clicked: the track ends and says so.
  await sharer.getByTestId('local-preview').evaluate((video) => {
    const track = ((video as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]!;
    track.stop();
    track.dispatchEvent(new Event('ended'));
  });
  await expect(sharer.getByRole('button', { name: 'Share screen' })).toBeVisible();
  await expect(helper.getByTestId('picture-stale')).toHaveAttribute('data-state', 'choosing');
  await expect(helper.getByTestId('session-ended')).toHaveCount(0);

  // The native agent reports `unavailable` when its display goes away; the helper's view for it.
  // The page would correct the status at once (it is choosing), so its own reports are held back.
  await sharer.route('**/sharer-status', (route) => route.abort());
  const origin = new URL(sharer.url()).origin;
  const id = new URL(sharer.url()).searchParams.get('session')!;
  const me = (await (await sharer.context().request.get(`${origin}/api/v1/me`)).json()) as { csrfToken: string };
  const status = (
    await sharer.context().request.post(`${origin}/api/v1/sessions/${id}/sharer-status`, {
      headers: { origin, 'x-csrf-token': me.csrfToken },
      data: { status: 'unavailable' },
    })
  ).status();
  expect(status).toBe(200);
  await expect(helper.getByTestId('picture-notice')).toHaveText(
    "Lena Fischer's device cannot share the screen right now",
  );
  await expect(helper.getByTestId('connection-status')).toHaveText('Not live');
  await shot(helper, '31-helper-sharer-unavailable');
});
