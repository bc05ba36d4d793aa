/**
 * Network change with the native agent (issue 13, item 5): the agent runs inside the
 * sharer's network namespace (`ip netns exec`), capturing a private Xvfb whose picture
 * changes ten times a second; its window and the sign-in page open in a Chromium of the
 * same namespace (the agent's loopback address is only reachable there); the helper's
 * Chromium is in its own namespace. Mid-session the sharer's route moves to a second veth
 * pair with a new address. Both sides must see the dead path within 2 s ("Reconnecting"
 * on the helper's badge, the agent window's reconnecting line), and the picture must
 * resume within 3 s of the new path being up, through an ICE restart of the same
 * connection (the helper keeps its one peer connection), now from the new address.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startDesktop, type Desktop } from '../agent/desktop.js';
import { framesDecoded, shot, signIn, closeContexts } from '../support.js';
import { startNsAgent, type NsAgent } from './nsAgent.js';
import { createLab, netnsUnavailable, type NetnsLab } from './netns.js';
import { iceInfo, labContext, launchIn, netLog, startLabServer, type LabServer } from './lab.js';

test.afterEach(closeContexts);

const PORT = Number(process.env.E2E_PORT ?? 8181);
/**
 * The targets (detect within 2 s, picture back within 3 s) are printed against the
 * measured figures; the assertions use bounds that a loaded CI box keeps but that the old code
 * (no path heartbeat: ~30 s to notice; no ICE restart: ~16 s or never) cannot.
 */
const DETECT_MS = 2000;
const RESUME_MS = 3000;
const DETECT_BOUND_MS = 5000;
const RESUME_BOUND_MS = 10_000;
const RECONNECTING = 'The network changed. Reconnecting to Daniel Okafor…';

const unavailable = netnsUnavailable();

interface TracedAgent extends NsAgent {
  /** The agent's network trace (`REMOTE_HELP_TRACE=net`) from `from` on, in ms after `zero`. */
  trace(from: number, zero: number): string[];
  /** The tile sender's counters from the agent's last `tiles` trace line. */
  tileStats(): { acked: number; lost: number; lateAcks: number; messages: number } | null;
}

/** The agent in the sharer's namespace (`nsAgent.ts`), with its network and tile traces on. */
async function startAgent(lab: NetnsLab, url: string, display: string, browser: Browser): Promise<TracedAgent> {
  const agent = await startNsAgent(lab, url, display, browser, { REMOTE_HELP_TRACE: 'net,tiles' });
  const trace = (from: number, zero: number): string[] =>
    [...agent.output().matchAll(/^\[trace net \S+ (\d+)\] (.*)$/gm)]
      .filter((m) => Number(m[1]) >= from)
      .map((m) => `${Number(m[1]) - zero}ms ${m[2]}`);
  const tileStats = () => {
    const last = [...agent.output().matchAll(/^\[trace tiles \S+ \d+\] sender (\{.*?\}) capture /gm)].at(-1);
    return last ? (JSON.parse(last[1]!) as ReturnType<TracedAgent['tileStats']>) : null;
  };
  return { ...agent, trace, tileStats };
}

test.describe('network change with the agent', () => {
  test.skip(unavailable !== null, `network-change journeys skipped: ${unavailable}`);
  // Real namespaces, coturn, an X desktop and three browsers on a shared 2-core runner: one retry,
  // reported as flaky in the run's counts (a real fault fails both tries).
  test.describe.configure({ retries: 1 });
  // On a slow helper (CI) the helper page used to stall ~2 s at a time after the move, and the
  // agent took each stall for a dead path (refresh + ICE restart every few seconds). Now a late
  // heartbeat is a dead path only if the selected candidate pair received nothing either
  // (protocol pathHealth), a late tick gives no verdict, signals go to one socket per side,
  // and the tile sender's timeout never falls below the measured round trip.
  let lab: NetnsLab | undefined;
  let server: LabServer | undefined;
  test.beforeAll(async () => {
    lab = createLab();
    server = await startLabServer(lab, PORT);
  });
  test.afterAll(async () => {
    await server?.stop();
    lab?.close();
  });

  test("the agent's machine moves to a new address mid-session: reconnecting on both sides, picture back through ICE restart", async () => {
    test.setTimeout(240_000);
    const { url } = server!;
    const helperBrowser = await launchIn(lab!, lab!.helperNs, url);
    const sharerBrowser = await launchIn(lab!, lab!.sharerNs, url);
    let desktop: Desktop | undefined;
    let agent: TracedAgent | undefined;
    let moved = 0;
    let helperPage: Page | undefined;
    try {
      desktop = await startDesktop();
      // A picture that keeps changing, so that damage tiles keep flowing.
      await desktop.app.evaluate(() => {
        let n = 0;
        const status = document.getElementById('status')!;
        setInterval(() => {
          n += 1;
          status.textContent = `frame ${n}`;
          document.body.style.background = n % 2 ? '#ffffff' : '#f0f4ff';
        }, 100);
      });
      agent = await startAgent(lab!, url, desktop.display, sharerBrowser);
      const { win } = agent;
      const helper = await (await labContext(helperBrowser, url)).newPage();
      helperPage = helper;
      await signIn(helper, '/help', 'helper@contoso.example');
      await helper.getByRole('button', { name: 'Get a security code' }).click();
      const codeBox = helper.getByTestId('security-code');
      await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
      const code = (await codeBox.textContent())!.replace(/\D/g, '');
      await win.getByLabel('Security code').fill(code);
      await win.getByRole('button', { name: 'Submit' }).click();
      await helper.getByRole('button', { name: 'View only' }).click();
      await win.getByRole('button', { name: 'Allow' }).click();
      await expect(helper.getByTestId('remote-canvas')).toBeVisible({ timeout: 20_000 });
      await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 20_000 });
      const before = await framesDecoded(helper);
      await expect.poll(() => framesDecoded(helper), { timeout: 10_000 }).toBeGreaterThan(before + 10);
      expect(await iceInfo(helper)).toMatchObject({ connections: 1, remote: lab!.sharerAddress });
      await shot(helper, 'net-agent-01-helper-before-move');

      const { upAt, removingAt, oldGoneAt, address } = lab!.move('sharer');
      moved = oldGoneAt;
      // Read from the page's own 20 ms log: the reconnecting spell can be shorter than a locator's polling.
      // From the start of the removal: the agent can see the address go before `ip` has returned
      // (a CI run found no reconnecting line after `oldGoneAt`; detections of 15–19 ms seen here).
      const sawReconnecting = async () =>
        (await netLog(helper)).badge.some(([t, text]) => t >= removingAt && text === 'Reconnecting');
      await expect.poll(sawReconnecting, { timeout: 5000, intervals: [50] }).toBe(true);
      await shot(helper, 'net-agent-02-helper-reconnecting');
      await expect(win.locator('#media-text'))
        .toHaveText(RECONNECTING, { timeout: 5000 })
        .catch(() => undefined);
      await shot(win, 'net-agent-03-window-reconnecting');
      await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 });
      const resumed = await framesDecoded(helper);
      await expect.poll(() => framesDecoded(helper), { timeout: 5000 }).toBeGreaterThan(resumed + 5);
      await expect(win.locator('#media-text')).toHaveText('');
      await shot(helper, 'net-agent-04-helper-resumed');
      await shot(win, 'net-agent-05-window-resumed');

      const helperLog = await netLog(helper);
      const winLog = await netLog(win);
      const helperDetected = helperLog.badge.find(([t, text]) => t >= removingAt && text !== 'Connected')?.[0];
      const agentDetected = winLog.badge.find(([t, text]) => t >= removingAt && text === RECONNECTING)?.[0];
      const lastFrameBefore = helperLog.frames.filter(([t]) => t <= oldGoneAt).at(-1);
      const firstFrameAfter = helperLog.frames.find(([t]) => helperDetected !== undefined && t > helperDetected);
      // When libwebrtc on the agent's machine saw the new address (it polls the interfaces), as
      // the web journeys measure from the browser's first candidate on the new address.
      const sawLine = agent.trace(upAt, upAt).find((line) => line.includes(`new local address ${address}`));
      const agentSawNewPath = sawLine === undefined ? undefined : upAt + Number(/^(-?\d+)ms/.exec(sawLine)?.[1]);
      const figures = {
        helperDetectMs: helperDetected! - oldGoneAt,
        agentDetectMs: agentDetected! - oldGoneAt,
        agentSawNewPathMs: agentSawNewPath === undefined ? null : agentSawNewPath - upAt,
        resumeAfterAgentSawNewPathMs: agentSawNewPath === undefined ? null : firstFrameAfter![0] - agentSawNewPath,
        resumeAfterNewPathMs: firstFrameAfter![0] - upAt,
        pictureGapMs: firstFrameAfter![0] - lastFrameBefore![0],
      };
      console.log(`network change (agent): ${JSON.stringify(figures)}`);
      console.log(
        `targets: detect ≤ ${DETECT_MS} ms (helper ${figures.helperDetectMs}, agent ${figures.agentDetectMs}); ` +
          `picture ≤ ${RESUME_MS} ms after the agent saw the new path (${figures.resumeAfterAgentSawNewPathMs}); ` +
          `from the move itself ${figures.resumeAfterNewPathMs}`,
      );
      expect(helperDetected).toBeDefined();
      expect(agentDetected).toBeDefined();
      expect(figures.helperDetectMs).toBeLessThanOrEqual(DETECT_BOUND_MS);
      expect(figures.agentDetectMs).toBeLessThanOrEqual(DETECT_BOUND_MS);
      expect(figures.resumeAfterNewPathMs).toBeLessThanOrEqual(RESUME_BOUND_MS);
      // An ICE restart: the helper kept its one connection, which now reaches the new address.
      expect(await iceInfo(helper)).toMatchObject({ connections: 1, remote: address });
      // The helper's acks reach the agent and count: most messages are acknowledged, few
      // resent (when none counted, every message was resent and the helper drowned).
      const tiles = agent.tileStats();
      console.log(`agent tiles: ${JSON.stringify(tiles)}`);
      expect(tiles?.acked).toBeGreaterThan(2 * (tiles?.lost ?? Infinity));
      // Once back, the new path stays up: no flapping (a busy helper is not a dead path).
      const settledFrom = Date.now();
      await helper.waitForTimeout(5000);
      const downs = agent.trace(settledFrom, settledFrom).filter((line) => /path down|ICE restart/.test(line));
      console.log(`agent path downs and ICE restarts in the 5 s after: ${downs.length}`);
      expect(downs).toEqual([]);
    } finally {
      if (helperPage) {
        // Around the move, or (a failure before it) the last 15 s.
        const from = moved ? moved - 500 : Date.now() - 15_000;
        const zero = moved || from;
        const log = await netLog(helperPage);
        const since = (entries: [number, string | number][]) =>
          entries.filter(([t]) => t >= from).map(([t, what]) => `${t - zero}ms ${what}`);
        console.log(`  helper: ${since(log.events.filter(([, w]) => !/^(in|out) /.test(w))).join(' | ')}`);
        console.log(`  helper badge: ${since(log.badge).join(' | ')}`);
        console.log(`  helper frames: ${since(log.frames).join(' ')}`);
        if (agent) console.log(`  agent: ${agent.trace(from, zero).join(' | ')}`);
      }
      await agent?.stop();
      await desktop?.stop();
      await helperBrowser.close();
      await sharerBrowser.close();
    }
  });
});
