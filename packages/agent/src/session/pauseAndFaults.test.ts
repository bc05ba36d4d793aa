/**
 * The session controller's pause/resume and lost-display handling (issue 13, items 3
 * and 6) with a fake server, fake media and a fake libnut: what the gate decides, what
 * the media is told and what the server is told, in order. The real thing is covered
 * by `app/pause*.integration.test.ts` and `app/displayLoss.integration.test.ts`.
 */
import type { SessionView, SharerStatus } from '@remote-help/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentError } from '../errors.js';
import { LibnutInjector } from '../platform/libnutInjector.js';
import { fakeLibnut, type NutCall } from '../testing/fakeLibnut.js';
import { FakeMedia, FakeSignaling, sessionView } from '../testing/fakeSession.js';
import { SharingSession, WAKE_GRACE_MS } from './sharingSession.js';

const none = { shift: false, ctrl: false, alt: false, meta: false };
const move = (x: number, y: number) => JSON.stringify({ type: 'pointerMove', x, y });
const key = (code: string, down: boolean) => JSON.stringify({ type: 'key', code, down, modifiers: none });

describe('SharingSession: pause, resume and a lost display (fakes)', () => {
  let nut: ReturnType<typeof fakeLibnut>;
  let signaling: FakeSignaling;
  let media: FakeMedia;
  let version: number;
  let injectorFails: boolean;
  let api: {
    redeem: ReturnType<typeof vi.fn<(code: string) => Promise<SessionView>>>;
    respond: ReturnType<typeof vi.fn<(id: string, allow: boolean) => Promise<SessionView>>>;
    dropControl: ReturnType<typeof vi.fn<(id: string) => Promise<SessionView>>>;
    leave: ReturnType<typeof vi.fn<(id: string) => Promise<SessionView>>>;
    setSharerStatus: ReturnType<
      typeof vi.fn<(id: string, status: Exclude<SharerStatus, 'pending'>) => Promise<SessionView>>
    >;
  };
  let session: SharingSession;
  let mode: 'view' | 'control';

  const moves = (): NutCall[] => nut.calls.filter((c) => c[0] === 'moveMouse');
  const keys = (): NutCall[] => nut.calls.filter((c) => c[0] === 'keyToggle');
  const statuses = (): string[] => api.setSharerStatus.mock.calls.map((c) => c[1]);

  beforeEach(() => {
    nut = fakeLibnut();
    signaling = new FakeSignaling();
    media = new FakeMedia();
    version = 10;
    injectorFails = false;
    mode = 'control';
    api = {
      redeem: vi.fn(async () => sessionView('joined')),
      respond: vi.fn(async () => sessionView('active', { mode, version: ++version })),
      dropControl: vi.fn(async () => {
        mode = 'view';
        return sessionView('active', { mode, version: ++version });
      }),
      leave: vi.fn(async () => sessionView('ended', { endReason: 'sharer_left', version: ++version })),
      setSharerStatus: vi.fn(async (_id, status) =>
        sessionView('active', { mode, sharerStatus: status, version: ++version }),
      ),
    };
    session = new SharingSession({
      api,
      signaling,
      media: async () => media,
      injector: async (display) => {
        if (injectorFails) throw new AgentError('input_unavailable', 'The X server went away');
        return new LibnutInjector(nut, display);
      },
      displayRetryMs: 10,
    });
  });

  async function activateControl(): Promise<void> {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: 'control', version: ++version }));
    await session.respond(true);
    await vi.waitFor(() => expect(media.started).toBe(true));
    await vi.waitFor(() => expect(session.snapshot().displays.length).toBeGreaterThan(0));
    media.emit('input', move(0.5, 0.5), 1);
    await vi.waitFor(() => expect(moves().length).toBe(1));
    await vi.waitFor(() => expect(session.snapshot().session?.sharerStatus).toBe('sharing'));
  }

  it('pause: input refused whatever the server pushes, held keys released, pixels stopped, then the server is told', async () => {
    await activateControl();
    media.emit('input', key('KeyA', true), 1);
    expect(keys()).toEqual([['keyToggle', 'a', 'down']]);

    await session.pause();
    expect(keys().at(-1)).toEqual(['keyToggle', 'a', 'up']); // released when the pause began
    expect(media.paused).toBe(true);
    expect(session.gate.blockReason()).toBe('paused');
    expect(statuses()).toEqual(['paused']);
    expect(session.snapshot()).toMatchObject({ paused: true, controlActive: false });

    // The server insisting on control and sharing, and the helper sending input: nothing is injected,
    // and the server is put right again.
    signaling.push(sessionView('active', { mode: 'control', sharerStatus: 'sharing', version: ++version }));
    media.emit('input', move(0.1, 0.1), 1);
    media.emit('input', key('KeyB', true), 1);
    expect(moves().length).toBe(1);
    expect(keys().length).toBe(2);
    await vi.waitFor(() => expect(statuses().at(-1)).toBe('paused'));
    expect(statuses().length).toBe(2);

    await session.resume();
    expect(media.paused).toBe(false);
    expect(statuses().at(-1)).toBe('sharing');
    expect(api.respond).toHaveBeenCalledTimes(1); // no new Allow
    expect(session.gate.allowed).toBe(true);
    media.emit('input', move(0.2, 0.2), 1);
    expect(moves().length).toBe(2);
  });

  it('pause works offline: the status post failing leaves the device paused and is retried', async () => {
    await activateControl();
    api.setSharerStatus.mockRejectedValueOnce(new Error('offline'));
    await expect(session.pause()).rejects.toThrow('offline');
    expect(session.gate.blockReason()).toBe('paused');
    expect(media.paused).toBe(true);
    await vi.waitFor(() => expect(session.snapshot().session?.sharerStatus).toBe('paused'), { timeout: 3000 });
    expect(statuses()).toEqual(['paused', 'paused']);
  });

  it('a lost display: input stops and the injector is let go untouched; unavailable, then sharing when it is back', async () => {
    await activateControl();
    const callsBefore = nut.calls.length;
    media.displayBack = false;
    media.emit('captureLost', new AgentError('display_unavailable', 'The X server closed the connection'));
    expect(session.gate.blockReason()).toBe('display_unavailable');
    await vi.waitFor(() => expect(statuses().at(-1)).toBe('unavailable'));
    expect(session.snapshot()).toMatchObject({ displayLost: true, controlActive: false });
    media.emit('input', move(0.9, 0.9), 1);
    expect(nut.calls.length).toBe(callsBefore); // not even a release on the dead connection

    // Back, but input cannot be injected on the new server: control ends visibly.
    injectorFails = true;
    media.displayBack = true;
    await vi.waitFor(() => expect(session.snapshot().displayLost).toBe(false));
    await vi.waitFor(() => expect(statuses().at(-1)).toBe('sharing'));
    await vi.waitFor(() => expect(api.dropControl).toHaveBeenCalled());
    expect(session.snapshot()).toMatchObject({ inputUnavailable: true, controlActive: false });
    expect(nut.calls.length).toBe(callsBefore);
  });

  it('a lost display while paused stays paused for the helper, and the display coming back does not resume', async () => {
    await activateControl();
    await session.pause();
    media.emit('captureLost', new AgentError('display_unavailable', 'gone'));
    media.displayBack = true;
    await vi.waitFor(() => expect(session.snapshot().displayLost).toBe(false));
    expect(session.snapshot().paused).toBe(true);
    expect(statuses().at(-1)).toBe('paused');
    expect(media.paused).toBe(true);
  });

  it('a session adopted while paused (an agent restarted) stays paused until the sharer resumes', async () => {
    // The Allow given before the restart comes back with the session (app/sessionMemory).
    const allowed = { sessionId: 'session-1', helperId: 'helper' };
    session.adopt(sessionView('active', { mode: 'view', sharerStatus: 'paused', version: ++version }), allowed);
    await vi.waitFor(() => expect(media.started).toBe(true));
    expect(media.paused).toBe(true);
    expect(session.snapshot().paused).toBe(true);
    expect(statuses()).toEqual([]);
    await session.resume();
    expect(statuses()).toEqual(['sharing']);
  });

  it('the pause ends with the session: a new session starts unpaused', async () => {
    await activateControl();
    await session.pause();
    await session.leave();
    expect(session.snapshot().paused).toBe(false);
    expect(session.gate.state().paused).toBe(false);
    await expect(session.pause()).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  describe('waking from a sleep (the process was stopped)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    async function sleepAndWake(connected: boolean): Promise<number> {
      vi.useFakeTimers({ shouldAdvanceTime: true });
      session = new SharingSession({
        api,
        signaling,
        media: async () => media,
        injector: async (d) => new LibnutInjector(nut, d),
      });
      await session.redeem('12345678');
      signaling.push(sessionView('requested', { pendingMode: 'view', version: ++version }));
      mode = 'view';
      await session.respond(true);
      await vi.waitFor(() => expect(media.started).toBe(true));
      if (connected) media.emit('connectionstatechange', 'connected');
      // 20 s pass between two ticks of the event loop.
      vi.setSystemTime(Date.now() + 20_000);
      await vi.advanceTimersByTimeAsync(1000 + WAKE_GRACE_MS + 100);
      return media.renegotiations;
    }

    it('a connection not up again within the grace is replaced by a new one (fresh offer)', async () => {
      expect(await sleepAndWake(false)).toBe(1);
      expect(signaling.sent.at(-1)).toMatchObject({ kind: 'sdp', description: { sdp: 'v=0 fresh' } });
    });

    it('a connection that came back is left alone', async () => {
      expect(await sleepAndWake(true)).toBe(0);
    });
  });
});
