/**
 * TURN relay (issue 12, item 3), in network namespaces the test makes: the helper's
 * Chromium in one, the sharer (web app, then the native agent) in another, whose bridge
 * ports are isolated from each other, so the two sides reach the server and coturn (on
 * the bridge's address) and nothing else. coturn, started by the test with
 * `use-auth-secret`, relays from an address neither side has a route to, so the only
 * working candidate pair is relay to relay. The server mints each participant's TURN
 * credential for the session (`ice.servers`); with it, media and data channels flow
 * through the relay. With the server's secret differing from coturn's, no allocation is
 * granted and the session never connects media; the test shows what the helper sees.
 */
import { spawn } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { framesDecoded, shot, signIn, closeContexts } from '../support.js';
import { startDesktop, type Desktop } from '../agent/desktop.js';
import { startCoturn, type Coturn } from './coturn.js';
import { createLab, netnsUnavailable, type NetnsLab } from './netns.js';
import { labContext, launchIn, netLog, startLabServer, type LabServer } from './lab.js';
import { startNsAgent, type NsAgent } from './nsAgent.js';

test.afterEach(closeContexts);

const PORT = Number(process.env.E2E_PORT ?? 8181);
const SECRET = 'turn-relay-journey-secret-0123456789';
const unavailable = netnsUnavailable();

/** One end of the selected candidate pair of a page's last peer connection. */
interface PairEnd {
  type: string | null;
  address: string | null;
  relayProtocol: string | null;
}

/** The selected candidate pair of the page's last peer connection, and the TURN username it was configured with. */
function selectedPair(page: Page): Promise<{ local: PairEnd; remote: PairEnd; turnUsername: string | null }> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
    const none = { type: null, address: null, relayProtocol: null };
    if (!pc) return { local: none, remote: none, turnUsername: null };
    const stats: Record<string, unknown>[] = [];
    (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.push(s));
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const end = (id: unknown) => {
      const c = stats.find((s) => s.id === id);
      return {
        type: (c?.candidateType as string | undefined) ?? null,
        address: (c?.address as string | undefined) ?? null,
        relayProtocol: (c?.relayProtocol as string | undefined) ?? null,
      };
    };
    const turn = pc.getConfiguration().iceServers?.find((s) => s.username);
    return {
      local: end(pair?.localCandidateId),
      remote: end(pair?.remoteCandidateId),
      turnUsername: turn?.username ?? null,
    };
  });
}

/** True when a TCP connection from namespace `from` to `address:port` in namespace `to` succeeds. */
async function reaches(lab: NetnsLab, from: string, to: string, address: string): Promise<boolean> {
  const listener = spawn(lab.wrapper(to, process.execPath), [
    '-e',
    `require('net').createServer((s) => s.end()).listen(7411, '${address}', () => console.log('up'))`,
  ]);
  try {
    await new Promise<void>((resolve, reject) => {
      listener.stdout.once('data', () => resolve());
      listener.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
    });
    const probe = `const s = require('net').connect(7411, '${address}'); s.setTimeout(1500);
      s.on('connect', () => process.exit(0)); s.on('timeout', () => process.exit(1)); s.on('error', () => process.exit(1));`;
    return await new Promise<boolean>((resolve) => {
      spawn(lab.wrapper(from, process.execPath), ['-e', probe]).once('exit', (code) => resolve(code === 0));
    });
  } finally {
    listener.kill('SIGKILL');
  }
}

test.describe('TURN relay', () => {
  test.skip(unavailable !== null, `TURN relay journeys skipped: ${unavailable}`);
  // Real namespaces, coturn, an X desktop and three browsers on a shared 2-core runner: one retry,
  // reported as flaky in the run's counts (a real fault fails both tries).
  test.describe.configure({ retries: 1 });

  let lab: NetnsLab | undefined;
  let coturn: Coturn | undefined;
  let server: LabServer | undefined;
  test.beforeAll(async () => {
    lab = createLab({ isolate: true });
    coturn = await startCoturn({ listen: lab.serverAddress, relay: lab.relayAddress!, secret: SECRET });
    console.log(`coturn on ${coturn.address}:${coturn.port}, relaying from ${lab.relayAddress}`);
  });
  test.afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  test.afterAll(async () => {
    await coturn?.stop();
    lab?.close();
  });

  /** The server with TURN on coturn's port (UDP and TCP), its secret `secret`. */
  const serve = async (secret = SECRET) => {
    const at = `${coturn!.address}:${coturn!.port}`;
    server = await startLabServer(lab!, PORT, {
      TURN_URLS: `turn:${at}?transport=udp,turn:${at}?transport=tcp`,
      TURN_SECRET: secret,
    });
    return server.url;
  };

  /** Both browsers, the helper signed in with a code, the sharer's page on the code screen. */
  const browsers = async (url: string) => {
    const helperBrowser = await launchIn(lab!, lab!.helperNs, url);
    const sharerBrowser = await launchIn(lab!, lab!.sharerNs, url);
    const helper = await (await labContext(helperBrowser, url)).newPage();
    await signIn(helper, '/help', 'helper@contoso.example');
    await helper.getByRole('button', { name: 'Get a security code' }).click();
    const codeBox = helper.getByTestId('security-code');
    await expect(codeBox).toHaveText(/\d{4}\s?\d{4}/);
    const code = (await codeBox.textContent())!.replace(/\D/g, '');
    return { helperBrowser, sharerBrowser, helper, code };
  };

  test('the lab: the two sides reach the server but not each other', async () => {
    expect(await reaches(lab!, lab!.helperNs, lab!.sharerNs, lab!.sharerAddress)).toBe(false);
    expect(await reaches(lab!, lab!.sharerNs, lab!.helperNs, lab!.helperAddress)).toBe(false);
    // The control: the same probe from a namespace to the bridge's address gets through.
    const control = spawn(process.execPath, [
      '-e',
      `require('net').createServer((s) => s.end()).listen(7411, '${lab!.serverAddress}', () => console.log('up'))`,
    ]);
    try {
      await new Promise((resolve) => control.stdout.once('data', resolve));
      const probe = `const s = require('net').connect(7411, '${lab!.serverAddress}'); s.setTimeout(1500);
        s.on('connect', () => process.exit(0)); s.on('timeout', () => process.exit(1)); s.on('error', () => process.exit(1));`;
      const code = await new Promise<number | null>((resolve) =>
        spawn(lab!.wrapper(lab!.helperNs, process.execPath), ['-e', probe]).once('exit', resolve),
      );
      expect(code).toBe(0);
    } finally {
      control.kill('SIGKILL');
    }
  });

  test("web sharer: the picture flows through coturn, relay on both sides, on the session's credentials", async () => {
    test.setTimeout(300_000);
    const url = await serve();
    const { helperBrowser, sharerBrowser, helper, code } = await browsers(url);
    try {
      const sharer = await (await labContext(sharerBrowser, url)).newPage();
      await signIn(sharer, '/share', 'sharer@contoso.example');
      await sharer.getByLabel('Security code').fill(code);
      await sharer.getByRole('button', { name: 'Submit' }).click();
      await helper.getByRole('button', { name: 'View only' }).click();
      await sharer.getByRole('button', { name: 'Allow' }).click();
      await expect(helper.getByTestId('remote-video')).toBeVisible();
      await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 });
      await expect(sharer.getByTestId('connection-status')).toHaveText('Connected');
      const before = await framesDecoded(helper);
      await expect.poll(() => framesDecoded(helper), { timeout: 15_000 }).toBeGreaterThan(before + 10);
      await shot(helper, 'turn-01-helper-relayed-picture');
      await shot(sharer, 'turn-02-sharer-relayed');

      const helperPair = await selectedPair(helper);
      const sharerPair = await selectedPair(sharer);
      console.log(`selected pairs: helper ${JSON.stringify(helperPair)}; sharer ${JSON.stringify(sharerPair)}`);
      for (const pair of [helperPair, sharerPair]) {
        expect(pair.local.type).toBe('relay');
        expect(pair.remote.type).toBe('relay');
        expect(pair.local.address).toBe(lab!.relayAddress);
        expect(pair.remote.address).toBe(lab!.relayAddress);
      }
      // Each side's connection was made with a credential minted for this session and for that person.
      const [, helperSession, helperUser] = helperPair.turnUsername!.split(':');
      const [, sharerSession, sharerUser] = sharerPair.turnUsername!.split(':');
      expect(helperPair.turnUsername).toMatch(/^\d+:[\w-]+:[\w-]+$/);
      expect(sharerPair.turnUsername).toMatch(/^\d+:[\w-]+:[\w-]+$/);
      expect(helperSession).toBe(sharerSession);
      expect(helperUser).not.toBe(sharerUser);
      // coturn granted allocations to those usernames.
      expect(coturn!.allocatedTo()).toContain(helperPair.turnUsername!);
      expect(coturn!.allocatedTo()).toContain(sharerPair.turnUsername!);
    } finally {
      await helperBrowser.close();
      await sharerBrowser.close();
    }
  });

  test('agent sharer: tiles flow through coturn on a data channel, relay on the helper side', async () => {
    test.setTimeout(360_000);
    const url = await serve();
    const { helperBrowser, sharerBrowser, helper, code } = await browsers(url);
    let desktop: Desktop | undefined;
    let agent: NsAgent | undefined;
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
      agent = await startNsAgent(lab!, url, desktop.display, sharerBrowser);
      const { win } = agent;
      await win.getByLabel('Security code').fill(code);
      await win.getByRole('button', { name: 'Submit' }).click();
      await helper.getByRole('button', { name: 'View only' }).click();
      await win.getByRole('button', { name: 'Allow' }).click();
      await expect(helper.getByTestId('remote-canvas')).toBeVisible({ timeout: 20_000 });
      await expect(helper.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 });
      const before = await framesDecoded(helper);
      await expect.poll(() => framesDecoded(helper), { timeout: 30_000 }).toBeGreaterThan(before + 5);
      await shot(helper, 'turn-03-helper-agent-tiles-relayed');
      await shot(win, 'turn-04-agent-window-relayed');

      const pair = await selectedPair(helper);
      console.log(`selected pair (helper, agent sharer): ${JSON.stringify(pair)}`);
      expect(pair.local.type).toBe('relay');
      expect(pair.remote.type).toBe('relay');
      expect(pair.local.address).toBe(lab!.relayAddress);
      expect(pair.remote.address).toBe(lab!.relayAddress);
      // The agent's allocation was made with its session credential (the helper's names the same session).
      const [, session] = pair.turnUsername!.split(':');
      const agentAllocations = coturn!
        .allocatedTo()
        .filter((name) => /^\d+:[\w-]+:[\w-]+$/.test(name) && name.split(':')[1] === session)
        .filter((name) => name !== pair.turnUsername);
      expect(agentAllocations.length).toBeGreaterThan(0);
      // The agent's data channels carry what the helper sees: tiles keep arriving.
      const tiles = await framesDecoded(helper);
      await expect.poll(() => framesDecoded(helper), { timeout: 30_000 }).toBeGreaterThan(tiles + 5);
    } catch (error) {
      await shot(helper, 'turn-03-helper-agent-failed').catch(() => undefined);
      console.log(`helper frames: ${await framesDecoded(helper).catch(() => -1)}`);
      console.log(`agent output (last 3000 characters):\n${agent?.output().slice(-3000) ?? ''}`);
      throw error;
    } finally {
      await agent?.stop();
      await desktop?.stop();
      await helperBrowser.close();
      await sharerBrowser.close();
    }
  });

  test("a server whose TURN secret is not coturn's: no relay allocation, no media; what the helper is shown", async () => {
    test.setTimeout(300_000);
    const logFrom = coturn!.log().length;
    const allocatedBefore = coturn!.allocatedTo().length;
    const url = await serve('not-the-coturn-secret-0123456789');
    const { helperBrowser, sharerBrowser, helper, code } = await browsers(url);
    try {
      const sharer = await (await labContext(sharerBrowser, url)).newPage();
      await signIn(sharer, '/share', 'sharer@contoso.example');
      await sharer.getByLabel('Security code').fill(code);
      await sharer.getByRole('button', { name: 'Submit' }).click();
      await helper.getByRole('button', { name: 'View only' }).click();
      await sharer.getByRole('button', { name: 'Allow' }).click();
      await expect(helper.getByTestId('remote-video')).toBeVisible();
      // coturn refuses both sides' allocations, and the helper's gathering ends without a relay
      // candidate: no candidate pair can work (the host ones are isolated).
      // Both sides' session credentials, refused (each user name once).
      const refusals = () =>
        new Set(
          [
            ...coturn!
              .log()
              .slice(logFrom)
              .matchAll(/user <(\d+:[\w-]+:[\w-]+)>: incoming packet message processed, error 401/g),
          ].map((m) => m[1]),
        ).size;
      await expect.poll(refusals, { timeout: 120_000, intervals: [1000] }).toBeGreaterThanOrEqual(2);
      const gathered = async () => (await netLog(helper)).events.some(([, what]) => what === 'candidate end');
      await expect.poll(gathered, { timeout: 60_000, intervals: [1000] }).toBe(true);
      const status = await helper.getByTestId('connection-status').textContent();
      console.log(`helper's badge with a wrong TURN secret, coturn refusals ${refusals()}: ${JSON.stringify(status)}`);
      // The badge stays on "Connecting", and the helper is told why: the relay refused the credentials.
      expect(status).toBe('Connecting');
      const notice = helper.getByTestId('relay-notice');
      await expect(notice).toHaveAttribute('data-problem', 'refused');
      await expect(notice).toContainText('TURN_SECRET');
      console.log(`helper's notice: ${JSON.stringify(await notice.textContent())}`);
      await shot(helper, 'turn-05-helper-wrong-secret');
      await shot(sharer, 'turn-06-sharer-wrong-secret');
      expect(await framesDecoded(helper)).toBe(0);
      expect((await selectedPair(helper)).local.type).toBeNull();
      // coturn granted nothing since this server started.
      expect(coturn!.allocatedTo().length).toBe(allocatedBefore);
    } finally {
      await helperBrowser.close();
      await sharerBrowser.close();
    }
  });
});
