/**
 * The server and browsers of the network-change journeys, placed in the namespaces of a
 * {@link NetnsLab}: the real server on the lab bridge's address, one Chromium inside the
 * helper's namespace and one inside the sharer's, each launched through a wrapper that
 * runs it with `ip netns exec`. Pages are instrumented to keep their peer connections
 * (`window.__pcs`) and to log, every 20 ms, the remote picture's frame counter and the
 * connection badge with wall-clock times (`window.__net`), so that the test can time
 * detection and recovery after the fact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import config from '../../playwright.config.js';
import type { NetnsLab } from './netns.js';

export interface LabServer {
  url: string;
  stop(): Promise<void>;
}

/** Where a lab server runs when not in the root namespace (the link journey: one side of the link emulator). */
export interface InNamespace {
  /** `node` wrapped to run in the namespace (`NetnsLab.wrapper`). */
  node: string;
  /** Whether the server answers `/healthz` at `url`, asked from inside the namespace. */
  healthy(url: string): boolean;
}

/**
 * Starts the built server on the lab bridge (fresh database), reachable from both namespaces; `env` adds settings.
 * With `inNs`, it runs inside that namespace, on `lab.serverAddress` there.
 */
export async function startLabServer(
  lab: Pick<NetnsLab, 'serverAddress'>,
  port: number,
  env: Record<string, string> = {},
  inNs?: InNamespace,
): Promise<LabServer> {
  const url = `http://${lab.serverAddress}:${port}`;
  let output = '';
  const server: ChildProcess = spawn(inNs?.node ?? process.execPath, ['scripts/e2e-server.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: lab.serverAddress,
      PUBLIC_URL: url,
      DEMO_PASSWORD: 'e2e-demo-password',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  };
  try {
    await expect
      .poll(
        async () => {
          if (server.exitCode !== null) throw new Error(`lab server exited: ${output}`);
          if (inNs) return inNs.healthy(url);
          return fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        // A fresh database and the demo's password hashes take seconds; far more on a loaded CI box.
        { timeout: 90_000 },
      )
      .toBe(true);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** The launch flags of playwright.config.ts (mDNS host-candidate hiding stays off), plus the lab origin as secure. */
function launchArgs(origin: string): string[] {
  const args = config.use?.launchOptions?.args ?? [];
  return [...args, `--unsafely-treat-insecure-origin-as-secure=${origin}`];
}

/** A Chromium running inside namespace `ns`. */
export function launchIn(lab: Pick<NetnsLab, 'wrapper'>, ns: string, origin: string): Promise<Browser> {
  return chromium.launch({ executablePath: lab.wrapper(ns, '/usr/bin/chromium'), args: launchArgs(origin) });
}

/** A context on the lab server whose pages record what the test times (see the module description). */
export async function labContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    const w = window as unknown as {
      __pcs: RTCPeerConnection[];
      __net: { frames: [number, number][]; badge: [number, string][] };
    };
    w.__pcs = [];
    const net: { frames: [number, number][]; badge: [number, string][]; events: [number, string][] } = {
      frames: [],
      badge: [],
      events: [],
    };
    w.__net = net;
    const event = (what: string) => net.events.push([Date.now(), what]);
    const Original = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Original {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        w.__pcs.push(this);
        this.addEventListener('iceconnectionstatechange', () => event(`ice ${this.iceConnectionState}`));
        this.addEventListener('icecandidate', (e) => event(`candidate ${e.candidate?.address ?? 'end'}`));
        const setLocal = this.setLocalDescription.bind(this);
        this.setLocalDescription = (description?: RTCLocalSessionDescriptionInit) => {
          event(`setLocal ${description?.type ?? 'implicit'}`);
          return setLocal(description);
        };
        const setRemote = this.setRemoteDescription.bind(this);
        this.setRemoteDescription = (description: RTCSessionDescriptionInit) => {
          event(`setRemote ${description.type}`);
          return setRemote(description);
        };
      }
    };
    const OriginalSocket = window.WebSocket;
    window.WebSocket = class extends OriginalSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        event('ws new');
        this.addEventListener('open', () => event('ws open'));
        this.addEventListener('close', () => event('ws close'));
      }
    };
    let frames = -1;
    let badge = '';
    setInterval(() => {
      const pc = w.__pcs.at(-1);
      if (!pc) return;
      void pc.getStats().then((report) => {
        report.forEach((s: Record<string, unknown>) => {
          if (s.type === 'outbound-rtp' && s.kind === 'video') {
            event(
              `out sent=${s.packetsSent} enc=${s.framesEncoded} key=${s.keyFramesEncoded} pli=${s.pliCount} nack=${s.nackCount} bps=${Math.round(Number(s.targetBitrate))} q=${s.qualityLimitationReason}`,
            );
          }
          if (s.type === 'inbound-rtp' && s.kind === 'video') {
            event(
              `in recv=${s.packetsReceived} lost=${s.packetsLost} dec=${s.framesDecoded} key=${s.keyFramesDecoded} pli=${s.pliCount} nack=${s.nackCount}`,
            );
          }
        });
      });
    }, 250);
    setInterval(() => {
      const screen = document.querySelector('[data-testid="remote-canvas"], [data-testid="remote-video"]');
      const n =
        screen instanceof HTMLCanvasElement
          ? Number(screen.dataset.frames ?? 0)
          : screen
            ? (screen as HTMLVideoElement & { webkitDecodedFrameCount: number }).webkitDecodedFrameCount
            : 0;
      if (n !== frames) net.frames.push([Date.now(), (frames = n)]);
      // The apps' connection badge, or the agent window's connection line.
      const line = document.querySelector('[data-testid="connection-status"]') ?? document.getElementById('media-text');
      const text = line?.textContent ?? '';
      if (text !== badge) net.badge.push([Date.now(), (badge = text)]);
    }, 20);
  });
  return context;
}

/** What a page recorded (see {@link labContext}). */
export function netLog(
  page: Page,
): Promise<{ frames: [number, number][]; badge: [number, string][]; events: [number, string][] }> {
  return page.evaluate(() => (window as unknown as { __net: { frames: []; badge: []; events: [] } }).__net);
}

/** How many peer connections the page made, and the local/remote addresses of the selected ICE pair of the last one. */
export function iceInfo(page: Page): Promise<{ connections: number; local: string | null; remote: string | null }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const pc = pcs.at(-1);
    if (!pc) return { connections: 0, local: null, remote: null };
    const stats: Record<string, unknown>[] = [];
    (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.push(s));
    const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = stats.find((s) => s.id === transport?.selectedCandidatePairId);
    const address = (id: unknown) => (stats.find((s) => s.id === id)?.address as string | undefined) ?? null;
    return {
      connections: pcs.length,
      local: address(pair?.localCandidateId),
      remote: address(pair?.remoteCandidateId),
    };
  });
}
