/**
 * The updater's decisions against a real HTTP server on loopback, with an injected clock: when it
 * checks (on start, then daily; every minute while a session defers an update), what it refuses
 * and why (signature, downgrade, same version, wrong platform or channel, a version that failed
 * before, size and hash), the user's opt-out and the organization's switch, and the below-minimum
 * notice. A server that stalls (the check's answer, or a download after its first bytes) or
 * trickles holds the updater only as long as its injected limits, and an answer that is not the
 * schema is one log line. Version order is the protocol's (`compareAgentVersions`).
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareAgentVersions, type AgentUpdatePolicy, type ReleaseManifest } from '@remote-help/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../devices/identity.js';
import { UpdateLayout } from './layout.js';
import { DAY_MS, handover, Updater, type DownloadLimits, type UpdateClock } from './updater.js';
import { UpdateRefused, verifyRelease } from './verify.js';

const keys = generateKeyPairSync('ed25519');
const publicKeyPem = keys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const otherKey = generateKeyPairSync('ed25519').privateKey;
const PACKAGE = Buffer.from('not really a tarball');

const manifestFor = (version: string, o: Partial<ReleaseManifest> = {}): ReleaseManifest => ({
  product: 'remote-help-agent',
  version,
  channel: 'stable',
  platform: 'linux-x64',
  file: `remote-help-agent-${version}-linux-x64.tar.gz`,
  size: PACKAGE.length,
  sha256: createHash('sha256').update(PACKAGE).digest('hex'),
  publishedAt: '2026-12-01T00:00:00.000Z',
  ...o,
});
const signed = (manifest: ReleaseManifest, key = keys.privateKey) => {
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { manifest: bytes.toString('base64'), signature: sign(null, bytes, key).toString('base64') };
};

describe('compareAgentVersions', () => {
  it('orders by semantic version, pre-releases before their release, rubbish first', () => {
    const sorted = ['1.10.0', 'x', '1.2.0', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0-alpha', '0.9.9', '2.0.0'].sort(
      compareAgentVersions,
    );
    expect(sorted).toEqual(['x', '0.9.9', '1.2.0-alpha', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0', '1.10.0', '2.0.0']);
    expect(compareAgentVersions('1.0.0', '1.0.0')).toBe(0);
  });
});

describe('verifyRelease', () => {
  const o = { publicKeyPem, platform: 'linux-x64' as const, channel: 'stable' as const, runningVersion: '1.0.0' };
  const reason = (f: () => unknown): string => {
    try {
      f();
    } catch (error) {
      if (error instanceof UpdateRefused) return error.reason;
      throw error;
    }
    return 'accepted';
  };

  it('accepts a newer release signed with the release key, and nothing else', () => {
    expect(verifyRelease(signed(manifestFor('1.0.1')), o).version).toBe('1.0.1');
    expect(reason(() => verifyRelease(signed(manifestFor('9.0.0'), otherKey), o))).toBe('bad_signature');
    const forged = signed(manifestFor('1.0.1'));
    const other = Buffer.from(JSON.stringify(manifestFor('9.0.0'))).toString('base64');
    expect(reason(() => verifyRelease({ ...forged, manifest: other }, o))).toBe('bad_signature');
    expect(reason(() => verifyRelease(signed(manifestFor('0.9.0')), o))).toBe('downgrade');
    expect(reason(() => verifyRelease(signed(manifestFor('1.0.0-rc.1')), o))).toBe('downgrade');
    expect(reason(() => verifyRelease(signed(manifestFor('1.0.0')), o))).toBe('same_version');
    expect(reason(() => verifyRelease(signed(manifestFor('2.0.0', { platform: 'darwin-arm64' })), o))).toBe(
      'wrong_platform',
    );
    const bytes = Buffer.from('{"product":"something else"}');
    expect(
      reason(() =>
        verifyRelease(
          { manifest: bytes.toString('base64'), signature: sign(null, bytes, keys.privateKey).toString('base64') },
          o,
        ),
      ),
    ).toBe('bad_manifest');
  });

  it('refuses a release of another channel: beta on a stable agent; a beta agent takes beta and stable', () => {
    const beta = signed(manifestFor('1.1.0-beta.1', { channel: 'beta' }));
    expect(reason(() => verifyRelease(beta, o))).toBe('wrong_channel');
    expect(() => verifyRelease(beta, o)).toThrow('the release is on the beta channel, this agent follows stable');
    expect(verifyRelease(beta, { ...o, channel: 'beta' }).version).toBe('1.1.0-beta.1');
    expect(verifyRelease(signed(manifestFor('1.1.0')), { ...o, channel: 'beta' }).version).toBe('1.1.0');
  });

  it('names the first problem of a malformed signed manifest on one line', () => {
    const bytes = Buffer.from(JSON.stringify({ ...manifestFor('1.1.0'), size: 'big' }));
    const malformed = {
      manifest: bytes.toString('base64'),
      signature: sign(null, bytes, keys.privateKey).toString('base64'),
    };
    expect(() => verifyRelease(malformed, o)).toThrow(
      'the signed manifest is malformed (size: Invalid input: expected number, received string)',
    );
  });
});

describe('Updater', () => {
  let server: Server;
  let origin: string;
  let answer: { release: ReturnType<typeof signed> | null; policy: AgentUpdatePolicy };
  let body: Buffer = PACKAGE;
  let asked = 0;
  let downloads = 0;
  /** Instead of `answer`: this text, or (`'stall'`) nothing at all. */
  let rawAnswer: string | 'stall' | null = null;
  /** The device's enrollment was revoked: the check is refused with `device_revoked`. */
  let revoked = false;
  /**
   * How the package is sent: at once, or its headers and first 5 bytes then nothing, or a byte every
   * 100 ms; or not at all: `missing` answers 404, `dropped` closes the connection before any answer.
   */
  let sending: 'at_once' | 'stall' | 'trickle' | 'missing' | 'dropped' = 'at_once';
  const held = new Set<ServerResponse>();
  const dirs: string[] = [];

  /** Sends the package as `sending` says; held responses end when the test does. */
  const sendPackage = (response: ServerResponse) => {
    if (sending === 'at_once') return void response.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    if (sending === 'missing') return void response.writeHead(404).end('not found');
    if (sending === 'dropped') return void response.socket?.destroy();
    held.add(response);
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(body.length) });
    if (sending === 'stall') return void response.write(body.subarray(0, 5));
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < body.length - 1) response.write(body.subarray(sent, ++sent));
    }, 100);
    response.once('close', () => clearInterval(timer));
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/api/v1/agent/update')) {
        asked++;
        if (!request.headers.authorization?.startsWith('Device ')) return void response.writeHead(401).end();
        if (revoked)
          return void response.writeHead(403, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              ok: false,
              error: 'device_revoked',
              message: 'An administrator removed this device from your organization.',
            }),
          );
        if (rawAnswer === 'stall') return void held.add(response);
        if (rawAnswer !== null)
          return void response.writeHead(200, { 'content-type': 'application/json' }).end(rawAnswer);
        const release = answer.release && { ...answer.release, url: '/download/releases/package.tar.gz' };
        return void response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ...answer, release }));
      }
      if (request.url === '/download/releases/package.tar.gz') {
        downloads++;
        return sendPackage(response);
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    for (const response of held) response.destroy();
    held.clear();
    body = PACKAGE;
    asked = 0;
    downloads = 0;
    rawAnswer = null;
    revoked = false;
    sending = 'at_once';
  });

  /** A clock whose timers run when the test advances it. */
  const manualClock = () => {
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock: UpdateClock = {
      now: () => now,
      after: (ms, fn) => {
        const timer = { at: now + ms, fn };
        timers.push(timer);
        return () => void timers.splice(timers.indexOf(timer) >>> 0, 1);
      },
    };
    /** `settled`: the check is done though it scheduled nothing (default: it scheduled the next). */
    const advance = async (ms: number, settled: () => boolean = () => false) => {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
      // Let the check's requests finish: it schedules the next one when done.
      for (let i = 0; i < 100 && timers.length === 0 && !settled(); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
    };
    return { clock, advance, pending: () => timers.map((t) => t.at - now) };
  };

  const updater = (
    o: {
      busy?: () => boolean;
      autoUpdate?: boolean;
      clock?: UpdateClock;
      limits?: Partial<DownloadLimits>;
      onRevoked?: (message: string) => void;
    } = {},
  ) => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-updater-'));
    dirs.push(dir);
    const log: string[] = [];
    const staged: string[] = [];
    const device = {
      server: origin,
      proof: async () => 'Device test-proof',
    } as unknown as DeviceIdentity;
    const u = new Updater({
      device,
      runningVersion: '1.0.0',
      packagedVersion: '1.0.0',
      platform: 'linux-x64',
      channel: 'stable',
      publicKeyPem,
      layout: new UpdateLayout(dir),
      autoUpdate: o.autoUpdate ?? true,
      busy: o.busy ?? (() => false),
      onStaged: (update) => staged.push(update.manifest.version),
      log: (message) => log.push(message),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.limits ? { downloadLimits: o.limits } : {}),
      onRevoked: o.onRevoked,
    });
    return { u, log, staged, dir };
  };

  it('checks on start, then once a day', async () => {
    answer = { release: signed(manifestFor('1.0.0')), policy: { minimumVersion: null, autoUpdate: true } };
    const time = manualClock();
    const { u } = updater({ clock: time.clock });
    u.start();
    await time.advance(0);
    expect(asked).toBe(1);
    expect(time.pending()).toEqual([DAY_MS]);
    await time.advance(DAY_MS - 1);
    expect(asked).toBe(1);
    await time.advance(1);
    expect(asked).toBe(2);
    u.stop();
    expect(time.pending()).toEqual([]);
  });

  it('stops for good when the device’s enrollment was revoked, and says so once', async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    revoked = true;
    const time = manualClock();
    const told: string[] = [];
    const { u, log } = updater({ clock: time.clock, onRevoked: (message) => told.push(message) });
    u.start();
    await time.advance(0, () => told.length > 0);
    expect(asked).toBe(1);
    expect(told).toEqual(['An administrator removed this device from your organization.']);
    expect(time.pending()).toEqual([]);
    expect(log.join('\n')).toContain('enrollment was revoked');
    await time.advance(DAY_MS, () => true);
    expect(asked).toBe(1);
    expect(downloads).toBe(0);
    expect(await u.check()).toEqual({
      kind: 'revoked',
      message: 'An administrator removed this device from your organization.',
    });
  });

  it('never during a session: defers, looks again every minute, installs once the session ends', async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    // The package is not a tarball: unpacking refuses it, but only after the session (nothing before).
    body = PACKAGE;
    let busy = true;
    const time = manualClock();
    const { u, log } = updater({ clock: time.clock, busy: () => busy });
    u.start();
    await time.advance(0);
    expect(log.join('\n')).toContain('Remote Help 1.1.0 is available; it installs when the session ends.');
    expect(log.join('\n')).not.toContain('Downloading');
    expect(time.pending()).toEqual([60_000]);
    busy = false;
    await time.advance(60_000);
    expect(log.join('\n')).toContain('Downloading Remote Help 1.1.0');
    u.stop();
  });

  it('refuses a package whose bytes are not the signed ones, and one cut short', async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    body = Buffer.from(PACKAGE).fill(0x41, 0, 1);
    const { u, dir } = updater();
    expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'hash_mismatch' });
    body = PACKAGE.subarray(0, 5);
    expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'truncated' });
    body = Buffer.concat([PACKAGE, PACKAGE]);
    expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'size_mismatch' });
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
  });

  it('a package the server does not give is download_failed, saying why, and nothing is left behind', async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    const { u, dir } = updater();
    sending = 'missing';
    expect(await u.check()).toMatchObject({
      kind: 'refused',
      reason: 'download_failed',
      message: expect.stringMatching(/HTTP 404/),
    });
    sending = 'dropped';
    expect(await u.check()).toMatchObject({
      kind: 'refused',
      reason: 'download_failed',
      message: expect.stringMatching(/could not be fetched/),
    });
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
  });

  it('a version that failed its trial is not tried again', async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    const { u, dir } = updater();
    await new UpdateLayout(dir).markFailed('1.1.0', 'it exited with 3');
    expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'failed_before' });
  });

  it('the user’s opt-out and the organization’s switch stop it; below the minimum it says so', async () => {
    answer = { release: signed(manifestFor('1.2.0')), policy: { minimumVersion: '1.1.0', autoUpdate: true } };
    const optedOut = updater({ autoUpdate: false });
    expect(await optedOut.u.check()).toEqual({ kind: 'opted_out' });
    expect(optedOut.log[0]).toBe(
      `This Remote Help agent (1.0.0) is older than 1.1.0, the oldest version your organization accepts. Automatic updates are off on this device: install the new version from ${origin}/download.`,
    );
    answer = { ...answer, policy: { minimumVersion: '1.1.0', autoUpdate: false } };
    const disabled = updater();
    expect(await disabled.u.check()).toEqual({ kind: 'disabled_by_organization' });
    expect(disabled.log[0]).toContain('Automatic updates are off for your organization');
    answer = { ...answer, policy: { minimumVersion: '1.1.0', autoUpdate: true } };
    const allowed = updater();
    await allowed.u.check();
    expect(allowed.log[0]).toContain('It updates itself now if a newer release is published.');
    answer = { release: null, policy: { minimumVersion: '1.0.0', autoUpdate: true } };
    const current = updater();
    expect(await current.u.check()).toEqual({ kind: 'nothing_published' });
    expect(current.log).toEqual([]);
  });
  it('refuses a signed beta release on a stable agent before anything is downloaded or installed', async () => {
    answer = {
      release: signed(manifestFor('1.1.0-beta.1', { channel: 'beta' })),
      policy: { minimumVersion: null, autoUpdate: true },
    };
    const { u, log, staged, dir } = updater();
    expect(await u.check()).toEqual({
      kind: 'refused',
      reason: 'wrong_channel',
      message: 'the release is on the beta channel, this agent follows stable',
    });
    expect(log).toEqual([
      'Update refused (wrong_channel): the release is on the beta channel, this agent follows stable. This version keeps running.',
    ]);
    expect(downloads).toBe(0);
    expect(staged).toEqual([]);
    expect(existsSync(join(dir, 'downloads'))).toBe(false);
    expect(existsSync(join(dir, 'versions'))).toBe(false);
    expect(await new UpdateLayout(dir).current()).toBeNull();
  });

  it(
    'gives up a download that stalls after its first bytes, and the next check tries again',
    { timeout: 5_000 },
    async () => {
      answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
      sending = 'stall';
      const { u, log, dir } = updater({ limits: { idleMs: 300 } });
      const started = performance.now();
      expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'download_stalled' });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(log.at(-1)).toBe(
        'Update refused (download_stalled): the download stalled: no bytes for 0.3 s (5 of 20 bytes); the next check tries again. This version keeps running.',
      );
      expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
      expect(await new UpdateLayout(dir).current()).toBeNull();
      // The next check is not held by the stalled one: it downloads the whole package (not a tarball: unpacking refuses it).
      sending = 'at_once';
      expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'bad_package' });
      expect(downloads).toBe(2);
    },
  );

  it('gives up a download that trickles past its deadline', { timeout: 5_000 }, async () => {
    answer = { release: signed(manifestFor('1.1.0')), policy: { minimumVersion: null, autoUpdate: true } };
    sending = 'trickle';
    const { u, log, dir } = updater({ limits: { idleMs: 1_000, deadlineMs: 600 } });
    expect(await u.check()).toMatchObject({ kind: 'refused', reason: 'download_timeout' });
    expect(log.at(-1)).toMatch(
      /^Update refused \(download_timeout\): the download did not finish within 0\.6 s \([1-9]\d* of 20 bytes\); the next check tries again\. This version keeps running\.$/,
    );
    expect(readdirSync(join(dir, 'downloads'))).toEqual([]);
  });

  it('a check the server never answers fails within the idle limit', { timeout: 5_000 }, async () => {
    rawAnswer = 'stall';
    const { u, log } = updater({ limits: { idleMs: 300 } });
    expect(await u.check()).toEqual({ kind: 'failed', message: 'the server did not answer within 0.3 s' });
    expect(log).toEqual(['Update check failed: the server did not answer within 0.3 s. Trying again later.']);
  });

  it('an answer that is not the schema is one log line naming its first problem', async () => {
    rawAnswer = JSON.stringify({ release: null, policy: { minimumVersion: null, autoUpdate: 'yes' } });
    const { u, log } = updater();
    expect(await u.check()).toMatchObject({ kind: 'failed' });
    expect(log).toEqual([
      "Update check failed: the server's answer is not an update answer (policy.autoUpdate: Invalid input: expected boolean, received string). Trying again later.",
    ]);
    rawAnswer = '<html>\n<body>Bad gateway</body>\n</html>';
    log.length = 0;
    await u.check();
    expect(log).toEqual(["Update check failed: the server's answer is not JSON. Trying again later."]);
  });
});

describe('handover', () => {
  it('refuses a trial bound that is not a positive whole number of ms, before anything changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-handover-'));
    try {
      const layout = new UpdateLayout(dir);
      for (const trialMs of [NaN, 0, -1000, Infinity])
        await expect(
          handover({
            update: { manifest: manifestFor('1.1.0'), tree: join(dir, 'versions/1.1.0'), previous: null },
            layout,
            packagedVersion: '1.0.0',
            launcher: '/bin/true',
            args: [],
            env: {},
            trialMs,
            log: () => undefined,
          }),
        ).rejects.toMatchObject({ reason: 'invalid_argument' });
      expect(await layout.current()).toBeNull();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
