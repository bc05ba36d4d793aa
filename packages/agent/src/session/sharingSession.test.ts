import { ApiError, type SessionView } from '@remote-help/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LibnutInjector } from '../platform/libnutInjector.js';
import type { DesktopServices, Point } from '../platform/types.js';
import { fakeLibnut, type NutCall } from '../testing/fakeLibnut.js';
import { FakeMedia, FakeSignaling, sessionView } from '../testing/fakeSession.js';
import { SharingSession } from './sharingSession.js';

const none = { shift: false, ctrl: false, alt: false, meta: false };
const move = (x: number, y: number) => JSON.stringify({ type: 'pointerMove', x, y });
const key = (code: string, down: boolean) => JSON.stringify({ type: 'key', code, down, modifiers: none });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharingSession (fake server, fake media, fake libnut)', () => {
  let nut: ReturnType<typeof fakeLibnut>;
  let signaling: FakeSignaling;
  let media: FakeMedia;
  let pointer: Point | null;
  let lasers: (Point | null)[];
  let hotkey: { grabs: number; ungrabs: number; press: (() => void) | null };
  let api: {
    redeem: ReturnType<typeof vi.fn<(code: string) => Promise<SessionView>>>;
    respond: ReturnType<typeof vi.fn<(id: string, allow: boolean) => Promise<SessionView>>>;
    dropControl: ReturnType<typeof vi.fn<(id: string) => Promise<SessionView>>>;
    leave: ReturnType<typeof vi.fn<(id: string) => Promise<SessionView>>>;
  };
  let session: SharingSession;

  const moves = (): NutCall[] => nut.calls.filter((c) => c[0] === 'moveMouse');
  const keys = (): NutCall[] => nut.calls.filter((c) => c[0] === 'keyToggle');

  beforeEach(() => {
    nut = fakeLibnut();
    signaling = new FakeSignaling();
    media = new FakeMedia();
    pointer = null;
    lasers = [];
    hotkey = { grabs: 0, ungrabs: 0, press: null };
    const desktop: DesktopServices = {
      pointerPosition: async () => pointer,
      async grabStopHotkey(onPress) {
        hotkey.grabs++;
        hotkey.press = onPress;
        return async () => {
          hotkey.ungrabs++;
          hotkey.press = null;
        };
      },
      showLaser: async (point) => {
        lasers.push(point);
      },
      close: async () => undefined,
    };
    api = {
      redeem: vi.fn(async () => sessionView('joined')),
      respond: vi.fn(async () => sessionView('active', { mode: 'view' })),
      dropControl: vi.fn(async () => sessionView('active', { mode: 'view' })),
      leave: vi.fn(async () => sessionView('ended', { endReason: 'sharer_left' })),
    };
    session = new SharingSession({
      api,
      signaling,
      media: async () => media,
      injector: async (display) => new LibnutInjector(nut, display),
      desktop,
      cursorIntervalMs: 5,
    });
  });

  /** Redeems, then the server makes the session active in `mode` after the user's answer. */
  async function activate(mode: 'view' | 'control'): Promise<void> {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: mode }));
    api.respond.mockResolvedValueOnce(sessionView('active', { mode }));
    await session.respond(true);
    await vi.waitFor(() => expect(media.started).toBe(true));
  }

  it('redeems as the agent, attaches to the session and follows its pushes', async () => {
    const view = await session.redeem('12345678');
    expect(api.redeem).toHaveBeenCalledWith('12345678');
    expect(view.state).toBe('joined');
    expect(signaling.attached).toEqual(['session-1']);
    signaling.push(sessionView('requested', { pendingMode: 'view' }));
    expect(session.snapshot().session).toMatchObject({ state: 'requested', pendingMode: 'view' });
    signaling.push({ ...sessionView('requested'), id: 'someone-else' });
    expect(session.snapshot().session?.id).toBe('session-1');
    expect(session.gate.state().mode).toBeNull();
    expect(media.started).toBe(false);
  });

  it('adopts a session joined by remote launch and follows it like a redeemed one', () => {
    session.adopt(sessionView('joined'));
    expect(api.redeem).not.toHaveBeenCalled();
    expect(signaling.attached).toEqual(['session-1']);
    signaling.push(sessionView('requested', { pendingMode: 'view' }));
    expect(session.snapshot().session).toMatchObject({ state: 'requested', pendingMode: 'view' });
    expect(() => session.adopt({ ...sessionView('joined'), id: 'other' })).toThrow(/already in progress/);
  });

  it('active in view: media starts and offers, but input is refused', async () => {
    await activate('view');
    expect(signaling.sent[0]).toMatchObject({ kind: 'sdp', description: { type: 'offer' } });
    expect(session.gate.state().mode).toBe('view');
    media.emit('input', move(0.5, 0.5), 1);
    media.emit('input', key('KeyA', true), 1);
    expect(moves()).toEqual([]);
    expect(keys()).toEqual([]);
    expect(session.gate.blockReason()).toBe('not_control_mode');
  });

  it('Allow of a control request gives local consent: input is injected once the server says control', async () => {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: 'control' }));
    const reply = deferred<SessionView>();
    api.respond.mockReturnValueOnce(reply.promise);
    const answering = session.respond(true);
    expect(session.gate.state()).toMatchObject({ localConsent: true, mode: null });
    expect(session.gate.allowed).toBe(false); // not before the server says control
    reply.resolve(sessionView('active', { mode: 'control' }));
    await answering;
    await vi.waitFor(() => expect(media.started).toBe(true));
    await vi.waitFor(() => {
      media.emit('input', move(0.5, 0.5), 1);
      expect(moves()).toHaveLength(1);
    });
    expect(session.snapshot().controlActive).toBe(true);
  });

  it('a control mode from the server never opens the gate without the user’s Allow of control', async () => {
    await activate('view'); // the user allowed *view*
    signaling.push(sessionView('active', { mode: 'control' })); // a forged or buggy push
    media.emit('input', move(0.1, 0.1), 1);
    expect(moves()).toEqual([]);
    expect(session.gate.blockReason()).toBe('no_local_consent');
  });

  it('refuses to answer a request the user was not shown', async () => {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: 'control' }));
    await expect(session.respond(true, 'view')).rejects.toMatchObject({ code: 'invalid_transition' });
    expect(api.respond).not.toHaveBeenCalled();
    expect(session.gate.state().localConsent).toBe(false);
  });

  it('a failed Allow takes the consent back', async () => {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: 'control' }));
    api.respond.mockRejectedValueOnce(new Error('offline'));
    await expect(session.respond(true)).rejects.toThrow('offline');
    expect(session.gate.state().localConsent).toBe(false);
  });

  it('Stop control closes the gate and releases held keys before the server answers', async () => {
    await activate('control');
    await vi.waitFor(() => {
      media.emit('input', key('KeyA', true), 1);
      expect(keys()).toEqual([['keyToggle', 'a', 'down']]);
    });
    const reply = deferred<SessionView>();
    api.dropControl.mockReturnValueOnce(reply.promise);
    const stopping = session.stopControl();
    // Synchronously: nothing more gets in, and A was let go.
    expect(session.gate.allowed).toBe(false);
    expect(keys().at(-1)).toEqual(['keyToggle', 'a', 'up']);
    media.emit('input', move(0.9, 0.9), 1);
    expect(moves()).toEqual([]);
    expect(api.dropControl).toHaveBeenCalledWith('session-1');
    reply.resolve(sessionView('active', { mode: 'view' }));
    await stopping;
    expect(session.snapshot().session?.mode).toBe('view');
    expect(session.gate.blockReason()).toBe('revoked');
  });

  it('the stop-control hotkey is grabbed only in full control and stops it', async () => {
    await activate('view');
    expect(hotkey.grabs).toBe(0);
    signaling.push(sessionView('active', { mode: 'view', pendingMode: 'control' }));
    api.respond.mockResolvedValueOnce(sessionView('active', { mode: 'control' }));
    await session.respond(true);
    await vi.waitFor(() => expect(session.snapshot().hotkey).toBe(true));
    expect(session.gate.allowed).toBe(true);
    hotkey.press?.();
    expect(session.gate.allowed).toBe(false);
    await vi.waitFor(() => expect(api.dropControl).toHaveBeenCalled());
    await vi.waitFor(() => expect(hotkey.ungrabs).toBe(1));
  });

  it('the control channel: displays and controlState on open, controlState on change, cursor on move', async () => {
    await activate('control');
    media.emit('channelopen', 'control');
    expect(media.sentControl('displays')[0]).toMatchObject({
      current: 'd1',
      displays: [{ id: 'd1', width: 1000, height: 500, primary: true }, { id: 'd2' }],
    });
    expect(media.sentControl('controlState')).toEqual([{ type: 'controlState', active: true }]);
    pointer = { x: 999, y: 0 };
    await vi.waitFor(() => expect(media.sentControl('cursor')).toEqual([{ type: 'cursor', x: 1, y: 0 }]));
    await new Promise((r) => setTimeout(r, 30));
    expect(media.sentControl('cursor')).toHaveLength(1); // unchanged position: nothing new
    pointer = { x: 1500, y: 10 }; // on the other display: not ours
    await new Promise((r) => setTimeout(r, 30));
    expect(media.sentControl('cursor')).toHaveLength(1);
    await session.stopControl();
    expect(media.sentControl('controlState').at(-1)).toEqual({ type: 'controlState', active: false });
  });

  it('laser and display selection from the helper; malformed control messages are ignored', async () => {
    await activate('control');
    media.emit('channelopen', 'control');
    media.emit('control', JSON.stringify({ type: 'laser', x: 0.25, y: 0.75 }));
    expect(session.snapshot().laser).toEqual({ x: 0.25, y: 0.75 });
    media.emit('control', JSON.stringify({ type: 'laser', x: 5, y: 0 }));
    media.emit('control', '{not json');
    media.emit('control', new ArrayBuffer(4));
    expect(session.snapshot().laser).toEqual({ x: 0.25, y: 0.75 });
    media.emit('control', JSON.stringify({ type: 'laserOff' }));
    expect(session.snapshot().laser).toBeNull();

    media.emit('control', JSON.stringify({ type: 'selectDisplay', id: 'd2' }));
    await vi.waitFor(() => expect(media.sentControl('displays').at(-1)).toMatchObject({ current: 'd2' }));
    media.emit('input', move(0, 0), 1);
    expect(moves().at(-1)).toEqual(['moveMouse', 1000, 0]);
  });

  it('with pointer events, the control channel sends each move at once and never polls', async () => {
    const watch: { onMove: ((point: Point | null) => void) | null } = { onMove: null };
    const asked = vi.fn(async () => pointer);
    session = new SharingSession({
      api,
      signaling,
      media: async () => media,
      injector: async (display) => new LibnutInjector(nut, display),
      desktop: {
        pointerPosition: asked,
        watchPointer: (listener) => {
          watch.onMove = listener;
          return () => (watch.onMove = null);
        },
        grabStopHotkey: async () => null,
        close: async () => undefined,
      },
      cursorIntervalMs: 5,
    });
    pointer = { x: 0, y: 0 };
    await activate('control');
    media.emit('channelopen', 'control');
    // Where the pointer stands when the channel opens: asked once, then only moves.
    await vi.waitFor(() => expect(media.sentControl('cursor')).toEqual([{ type: 'cursor', x: 0, y: 0 }]));
    await new Promise((r) => setTimeout(r, 20)); // past the interval since that message
    watch.onMove?.({ x: 999, y: 0 });
    expect(media.sentControl('cursor').at(-1)).toEqual({ type: 'cursor', x: 1, y: 0 }); // no timer in between
    watch.onMove?.({ x: 500, y: 250 }); // within the interval: the newest goes at its end
    watch.onMove?.({ x: 0, y: 499 });
    await vi.waitFor(() => expect(media.sentControl('cursor').at(-1)).toEqual({ type: 'cursor', x: 0, y: 1 }));
    expect(media.sentControl('cursor')).toHaveLength(3);
    expect(asked).toHaveBeenCalledTimes(1);
    await session.leave();
    expect(watch.onMove).toBeNull();
  });

  it('draws the laser on the desktop at the shared display’s place, hidden while paused and when the session ends', async () => {
    await activate('control');
    media.emit('channelopen', 'control');
    media.emit('control', JSON.stringify({ type: 'laser', x: 0.25, y: 0.75 }));
    expect(lasers.at(-1)).toEqual({ x: 250, y: 375 }); // on d1, 1000 × 500 at (0, 0)
    media.emit('control', JSON.stringify({ type: 'selectDisplay', id: 'd2' }));
    await vi.waitFor(() => expect(media.sentControl('displays').at(-1)).toMatchObject({ current: 'd2' }));
    media.emit('control', JSON.stringify({ type: 'laser', x: 0.5, y: 0.5 }));
    expect(lasers.at(-1)).toEqual({ x: 1400, y: 300 }); // on d2, 800 × 600 at (1000, 0)
    await session.pause();
    expect(lasers.at(-1)).toBeNull();
    media.emit('control', JSON.stringify({ type: 'laser', x: 0.5, y: 0.25 }));
    expect(lasers.at(-1)).toBeNull(); // no picture for the helper: no laser on the desktop either
    await session.resume();
    expect(lasers.at(-1)).toEqual({ x: 1400, y: 150 });
    signaling.push(sessionView('ended', { endReason: 'helper_left' }));
    await vi.waitFor(() => expect(lasers.at(-1)).toBeNull());
  });

  it('relays the helper’s signals to the peer, only for this session', async () => {
    await activate('view');
    const answer = { kind: 'sdp', description: { type: 'answer', sdp: 'v=0 answer' } } as const;
    signaling.emit('signal', 'session-1', 'helper', answer);
    signaling.emit('signal', 'other-session', 'helper', { kind: 'restart' });
    await vi.waitFor(() => expect(media.signals).toEqual([answer]));
    expect(media.renegotiations).toBe(0);
  });

  it('a helper’s restart gets a fresh connection; a failed one is replaced after a pause', async () => {
    await activate('view');
    signaling.emit('signal', 'session-1', 'helper', { kind: 'restart' });
    await vi.waitFor(() => expect(media.renegotiations).toBe(1));
    expect(signaling.sent.at(-1)).toMatchObject({ description: { sdp: 'v=0 fresh' } });
    vi.useFakeTimers();
    try {
      media.emit('connectionstatechange', 'failed');
      expect(session.snapshot().media).toBe('failed');
      await vi.advanceTimersByTimeAsync(900);
      expect(media.renegotiations).toBe(1);
      await vi.advanceTimersByTimeAsync(200);
      expect(media.renegotiations).toBe(2);
    } finally {
      vi.useRealTimers();
    }
    media.emit('connectionstatechange', 'connected');
    expect(session.snapshot().media).toBe('connected');
    signaling.emit('ready'); // the signaling connection came back: nothing to do while connected
    media.emit('connectionstatechange', 'disconnected');
    media.emit('connectionstatechange', 'connecting');
    expect(media.renegotiations).toBe(2);
  });

  it('renegotiates when signaling comes back while the media is not connected', async () => {
    await activate('view');
    await vi.waitFor(() => expect(session.snapshot().media).toBe('connecting'));
    signaling.emit('ready');
    await vi.waitFor(() => expect(media.renegotiations).toBe(1));
  });

  it('ended: stops the media, releases input, detaches, and stays ended whatever arrives late', async () => {
    await activate('control');
    await vi.waitFor(() => {
      media.emit('input', key('ShiftLeft', true), 1);
      expect(keys()).toHaveLength(1);
    });
    signaling.push(sessionView('ended', { endReason: 'helper_left' }));
    await vi.waitFor(() => expect(media.closed).toBe(true));
    expect(keys().at(-1)).toEqual(['keyToggle', 'shift', 'up']);
    expect(signaling.detached).toEqual(['session-1']);
    expect(session.gate.state().mode).toBeNull();
    signaling.push(sessionView('active', { mode: 'control' }));
    expect(session.snapshot().session?.state).toBe('ended');
    session.reset();
    expect(session.snapshot().session).toBeNull();
  });

  it('ignores a reply older than the pushes it already has (versions)', async () => {
    await session.redeem('12345678');
    signaling.push(sessionView('requested', { pendingMode: 'control', version: 3 }));
    const reply = deferred<SessionView>();
    api.respond.mockReturnValueOnce(reply.promise);
    const answering = session.respond(true);
    signaling.push(sessionView('active', { mode: 'control', version: 4 }));
    signaling.push(sessionView('active', { mode: 'view', pendingMode: 'control', version: 6 }));
    reply.resolve(sessionView('active', { mode: 'control', version: 4 })); // late
    await answering;
    expect(session.snapshot().session).toMatchObject({ mode: 'view', pendingMode: 'control', version: 6 });
    expect(session.gate.state().mode).toBe('view');
  });

  describe('the screen is shared only after the local user’s Allow', () => {
    const mallory = { ...sessionView('active').helper, id: 'mallory', displayName: 'Mallory' };

    /** Nothing was captured or offered, the session ended here, the server was told, the window too. */
    async function expectRefused(refused: () => number): Promise<void> {
      await vi.waitFor(() => expect(api.leave).toHaveBeenCalledWith('session-1'));
      expect(media.started).toBe(false);
      expect(signaling.sent.some((p) => p.kind === 'sdp')).toBe(false);
      expect(session.snapshot()).toMatchObject({ session: { state: 'ended', mode: null }, media: 'none' });
      expect(session.gate.allowed).toBe(false);
      expect(refused()).toBe(1);
      // Terminal: the server insisting changes nothing.
      signaling.push(sessionView('active', { mode: 'view', version: 50 }));
      await new Promise((r) => setTimeout(r, 20));
      expect(media.started).toBe(false);
      expect(session.snapshot().session?.state).toBe('ended');
      expect(refused()).toBe(1);
    }

    function countRefusals(): () => number {
      let refusals = 0;
      session.on('refused', () => refusals++);
      return () => refusals;
    }

    it('a server push of active without the Allow starts no media: the session ends here and is left (the review’s sequence)', async () => {
      const refused = countRefusals();
      await session.redeem('12345678');
      // The server (not the user) says the session is active in view: no request was shown or answered.
      signaling.push(sessionView('active', { mode: 'view', version: 3 }));
      await expectRefused(refused);
      expect(api.respond).not.toHaveBeenCalled();
    });

    it('nor while a request is on screen (the connection set up for it is closed, nothing captured)', async () => {
      const refused = countRefusals();
      await session.redeem('12345678');
      signaling.push(sessionView('requested', { pendingMode: 'control', version: 2 }));
      await vi.waitFor(() => expect(session.snapshot().displays.length).toBeGreaterThan(0)); // connection set up
      signaling.push(sessionView('active', { mode: 'control', version: 3 }));
      await expectRefused(refused);
      expect(media.closed).toBe(true);
      expect(session.gate.state().localConsent).toBe(false);
    });

    it('nor when the redeem itself answers active', async () => {
      const refused = countRefusals();
      api.redeem.mockResolvedValueOnce(sessionView('active', { mode: 'view', version: 2 }));
      await session.redeem('12345678');
      await expectRefused(refused);
    });

    it('the Allow is for this helper: an active session with another helper is refused and its media stops', async () => {
      await activate('view');
      const refused = countRefusals();
      media.started = false;
      signaling.push(sessionView('active', { mode: 'view', helper: mallory, version: 5 }));
      expect(refused()).toBe(1);
      await vi.waitFor(() => expect(media.closed).toBe(true));
      expect(session.snapshot().session).toMatchObject({ state: 'ended' });
    });

    it('the Allow counts from the click: an active push before the reply shares', async () => {
      await session.redeem('12345678');
      signaling.push(sessionView('requested', { pendingMode: 'view', version: 2 }));
      const reply = deferred<SessionView>();
      api.respond.mockReturnValueOnce(reply.promise);
      const answering = session.respond(true);
      expect(session.consent).toEqual({ sessionId: 'session-1', helperId: 'helper' });
      signaling.push(sessionView('active', { mode: 'view', version: 3 }));
      await vi.waitFor(() => expect(media.started).toBe(true));
      reply.resolve(sessionView('active', { mode: 'view', version: 3 }));
      await answering;
      expect(api.leave).not.toHaveBeenCalled();
    });

    it('an Allow the server refused is taken back; one whose answer was lost stands', async () => {
      await session.redeem('12345678');
      signaling.push(sessionView('requested', { pendingMode: 'view', version: 2 }));
      api.respond.mockRejectedValueOnce(new ApiError('invalid_transition', 'changed', { status: 409 }));
      await expect(session.respond(true)).rejects.toMatchObject({ code: 'invalid_transition' });
      expect(session.consent).toBeNull();
      api.respond.mockRejectedValueOnce(new ApiError('network_error', 'offline'));
      await expect(session.respond(true)).rejects.toMatchObject({ code: 'network_error' });
      expect(session.consent).toEqual({ sessionId: 'session-1', helperId: 'helper' });
      signaling.push(sessionView('active', { mode: 'view', version: 3 })); // the server had made it active
      await vi.waitFor(() => expect(media.started).toBe(true));
      expect(api.leave).not.toHaveBeenCalled();
    });

    it('after a restart, the remembered Allow (this session, this helper) resumes sharing without a new one; pause and resume need none', async () => {
      const allowed = { sessionId: 'session-1', helperId: 'helper' };
      session.adopt(sessionView('active', { mode: 'control', version: 7 }), allowed);
      await vi.waitFor(() => expect(media.started).toBe(true));
      expect(signaling.sent[0]).toMatchObject({ kind: 'sdp', description: { type: 'offer' } });
      expect(signaling.attached).toEqual(['session-1']);
      expect(session.consent).toEqual(allowed);
      // Full control is not remembered: input needs a new Allow of control.
      expect(session.gate.blockReason()).toBe('no_local_consent');
      await session.pause();
      expect(media.paused).toBe(true);
      await session.resume();
      expect(media.paused).toBe(false);
      signaling.push(sessionView('active', { mode: 'view', version: 8 }));
      expect(session.snapshot().session?.state).toBe('active');
      expect(api.respond).not.toHaveBeenCalled();
      expect(api.leave).not.toHaveBeenCalled();
    });

    for (const [what, allowed] of [
      ['no remembered Allow', null],
      ['the Allow of another session', { sessionId: 'session-0', helperId: 'helper' }],
      ['the Allow for another helper', { sessionId: 'session-1', helperId: 'mallory' }],
    ] as const) {
      it(`after a restart, an active session with ${what} is refused`, async () => {
        const refused = countRefusals();
        session.adopt(sessionView('active', { mode: 'view', version: 7 }), allowed);
        await expectRefused(refused);
        expect(session.consent).toBeNull();
      });
    }

    it('after a restart before the Allow, the request is answered as usual', async () => {
      session.adopt(sessionView('requested', { pendingMode: 'view', version: 7 }), null);
      expect(session.consent).toBeNull();
      api.respond.mockResolvedValueOnce(sessionView('active', { mode: 'view', version: 8 }));
      await session.respond(true);
      await vi.waitFor(() => expect(media.started).toBe(true));
    });
  });

  it('Leave stops sharing at once and ends locally even when the server cannot be reached', async () => {
    await activate('view');
    api.leave.mockRejectedValueOnce(new Error('offline'));
    await expect(session.leave()).rejects.toThrow('offline');
    expect(media.closed).toBe(true);
    expect(session.snapshot().session).toMatchObject({ state: 'ended', endReason: 'sharer_left' });
  });
});
