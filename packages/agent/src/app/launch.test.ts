import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionView } from '@remote-help/protocol';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import { DEVICE_FILE, newDeviceKey, DeviceIdentity, saveDevice } from '../devices/identity.js';
import { loadRevocation } from '../devices/revocation.js';
import type { Revocation } from '../devices/revocation.js';
import type { LaunchOffer } from '../devices/launchListener.js';
import type { PlatformAdapter } from '../platform/types.js';
import { SharingSession } from '../session/sharingSession.js';
import { FakeMedia, FakeSignaling, sessionView } from '../testing/fakeSession.js';
import { AgentApp } from './agentApp.js';
import { answerOffer, PendingLaunch, type LaunchSource } from './launchOffers.js';

/** The launch connection, driven by the test. */
class FakeLaunchSource
  extends EventEmitter<{ launch: [LaunchOffer]; cancelled: [string]; online: []; offline: [string]; revoked: [string] }>
  implements LaunchSource
{
  started = 0;
  stopped = 0;
  start(): void {
    this.started++;
  }
  stop(): void {
    this.stopped++;
  }
}

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const device = DeviceIdentity.fromFile({
  version: 1,
  server: 'http://127.0.0.1:1',
  deviceId: 'device-1',
  tenantName: 'Contoso',
  privateKeyPem: newDeviceKey().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  enrolledAt: '2026-01-01T00:00:00.000Z',
});
const helper = { ...sessionView('joined').helper, company: 'Contoso IT' };
const offer = (patch: Partial<LaunchOffer> = {}): LaunchOffer => ({
  type: 'launch',
  sessionId: 'session-1',
  helper,
  expiresAt: new Date(NOW + 60_000).toISOString(),
  ...patch,
});
const unavailable = () => Promise.reject(new Error('no display in unit tests'));
const platform: PlatformAdapter = {
  name: 'linux',
  openScreenSource: unavailable,
  openDesktop: unavailable,
  createInputInjector: unavailable,
  checkPermissions: unavailable,
  requestPermissions: unavailable,
};

describe('AgentApp remote launch (signed out, fake launch connection)', () => {
  let dir: string;
  let source: FakeLaunchSource;
  let now: number;
  let answer: ReturnType<typeof vi.fn<(...args: unknown[]) => Promise<SessionView | null>>>;
  let offered: LaunchOffer[];
  let revoked: Revocation[];
  let app: AgentApp;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rh-launch-'));
    source = new FakeLaunchSource();
    now = NOW;
    answer = vi.fn(() => Promise.resolve(null));
    offered = [];
    revoked = [];
    await saveDevice(dir, device.file);
    app = new AgentApp({
      server: 'http://127.0.0.1:1',
      store: new TokenStore(dir),
      platform,
      device,
      launchSource: () => source,
      answerLaunch: answer,
      onLaunch: (o) => offered.push(o),
      onDeviceRevoked: (r) => revoked.push(r),
      now: () => now,
      openBrowser: () => Promise.resolve(),
    });
    await app.start();
  });
  afterEach(async () => {
    await app.shutdown(100);
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects the launch listener at start and stops it at shutdown', async () => {
    expect(source.started).toBe(1);
    await app.shutdown(100);
    expect(source.stopped).toBe(1);
  });

  it('shows a pending offer as the launch screen with the helper’s card', () => {
    expect(app.state().screen).toBe('signedOut');
    source.emit('launch', offer());
    expect(offered.map((o) => o.sessionId)).toEqual(['session-1']);
    expect(app.state()).toMatchObject({
      screen: 'launch',
      helper: { displayName: 'Daniel Okafor', company: 'Contoso IT', verifiedDomain: 'contoso.example' },
    });
  });

  it('drops an offer the helper cancelled, and one whose time passed', () => {
    source.emit('launch', offer());
    source.emit('cancelled', 'another-session');
    expect(app.state().screen).toBe('launch');
    source.emit('cancelled', 'session-1');
    expect(app.state()).toMatchObject({ screen: 'signedOut', helper: null });

    source.emit('launch', offer());
    now = NOW + 60_000;
    expect(app.state().screen).toBe('signedOut');
    source.emit('launch', offer({ expiresAt: new Date(NOW).toISOString() }));
    expect(app.launchOffer).toBeNull();
  });

  it('a revoked enrollment drops the offer, stops the connection, forgets the device once and says so', async () => {
    source.emit('launch', offer());
    expect(app.state().screen).toBe('launch');
    source.emit('revoked', 'An administrator removed this device from your organization.');
    expect(app.launchOffer).toBeNull();
    expect(app.device).toBeNull();
    expect(source.stopped).toBe(1);
    await vi.waitFor(() => expect(revoked).toHaveLength(1));
    expect(app.state()).toMatchObject({
      screen: 'signedOut',
      helper: null,
      error: null,
      deviceRevoked: { organization: 'Contoso' },
    });
    expect(existsSync(join(dir, DEVICE_FILE))).toBe(false);
    expect(await loadRevocation(dir)).toMatchObject({
      server: 'http://127.0.0.1:1',
      deviceId: 'device-1',
      tenantName: 'Contoso',
      message: 'An administrator removed this device from your organization.',
    });
    // Nothing more comes of it: a second word, a late offer, an answer.
    source.emit('revoked', 'again');
    source.emit('launch', offer({ sessionId: 'session-2' }));
    expect(app.launchOffer).toBeNull();
    await app.command({ type: 'acceptLaunch' });
    expect(revoked).toHaveLength(1);
    expect(answer).not.toHaveBeenCalled();
  });

  it('Dismiss while signed out clears the offer without asking the server', async () => {
    source.emit('launch', offer());
    await app.command({ type: 'dismissLaunch' });
    expect(app.state().screen).toBe('signedOut');
    expect(answer).not.toHaveBeenCalled();
  });

  it('Open Remote Help while signed out signs in first, and does not answer when sign-in fails', async () => {
    source.emit('launch', offer());
    await app.command({ type: 'acceptLaunch' });
    expect(app.state().screen).toBe('signingIn');
    await vi.waitFor(() => expect(app.state().error).not.toBeNull(), { timeout: 5000 });
    expect(answer).not.toHaveBeenCalled();
    expect(app.state().screen).toBe('launch');
  });
});

describe('answerOffer', () => {
  const tokens = { accessToken: () => Promise.resolve('access-token') };
  let sharing: SharingSession;
  let signaling: FakeSignaling;
  let pending: PendingLaunch;
  let source: FakeLaunchSource;
  let api: { redeem: Mock; respond: Mock; dropControl: Mock; leave: Mock };
  let media: FakeMedia;

  beforeEach(() => {
    signaling = new FakeSignaling();
    api = { redeem: vi.fn(), respond: vi.fn(), dropControl: vi.fn(), leave: vi.fn() };
    media = new FakeMedia();
    sharing = new SharingSession({
      api,
      signaling,
      media: () => Promise.resolve(media),
      injector: unavailable,
    });
    source = new FakeLaunchSource();
    pending = new PendingLaunch({ source, onChange: () => undefined, now: () => NOW });
    source.emit('launch', offer());
  });

  it('accepts with the user’s access token and adopts the joined session', async () => {
    const answer = vi.fn(() => Promise.resolve(sessionView('joined')));
    await answerOffer({
      offer: offer(),
      accept: true,
      device,
      signedIn: true,
      credentials: tokens,
      sharing,
      pending,
      answerLaunch: answer,
    });
    expect(answer).toHaveBeenCalledWith(device, 'access-token', 'session-1', true);
    expect(sharing.session).toMatchObject({ id: 'session-1', state: 'joined' });
    expect(signaling.attached).toEqual(['session-1']);
    expect(pending.offer).toBeNull();
  });

  it('accepting a launch is not the Allow: an active push that skips the request shares nothing', async () => {
    const answer = vi.fn(() => Promise.resolve(sessionView('joined')));
    api.leave.mockResolvedValue(sessionView('ended', { endReason: 'sharer_left', version: 9 }));
    let refused = 0;
    sharing.on('refused', () => refused++);
    await answerOffer({
      offer: offer(),
      accept: true,
      device,
      signedIn: true,
      credentials: tokens,
      sharing,
      pending,
      answerLaunch: answer,
    });
    signaling.push(sessionView('active', { mode: 'view', version: 3 }));
    await vi.waitFor(() => expect(api.leave).toHaveBeenCalledWith('session-1'));
    expect(media.started).toBe(false);
    expect(api.respond).not.toHaveBeenCalled();
    expect(sharing.session).toMatchObject({ state: 'ended' });
    expect(refused).toBe(1);
  });

  it('dismisses as the signed-in user', async () => {
    const answer = vi.fn(() => Promise.resolve(null));
    await answerOffer({
      offer: offer(),
      accept: false,
      device,
      signedIn: true,
      credentials: tokens,
      sharing,
      pending,
      answerLaunch: answer,
    });
    expect(answer).toHaveBeenCalledWith(device, 'access-token', 'session-1', false);
    expect(pending.offer).toBeNull();
    expect(sharing.session).toBeNull();
  });

  it('a refused accept clears the offer and reports the error', async () => {
    const answer = vi.fn(() => Promise.reject(new Error('invalid_transition')));
    await expect(
      answerOffer({
        offer: offer(),
        accept: true,
        device,
        signedIn: true,
        credentials: tokens,
        sharing,
        pending,
        answerLaunch: answer,
      }),
    ).rejects.toThrow('invalid_transition');
    expect(pending.offer).toBeNull();
    expect(sharing.session).toBeNull();
  });
});
