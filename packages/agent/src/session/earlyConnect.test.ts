/**
 * The connection set up while the sharer reads the request (ADR 0023), with fakes:
 * before Allow the offer goes and the helper's answer is taken, but nothing is captured,
 * the control link says nothing and input is dropped for good; Allow starts capture on
 * the same connection; a decline or a request that goes away closes it.
 */
import type { SessionView } from '@remote-help/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LibnutInjector } from '../platform/libnutInjector.js';
import { fakeLibnut } from '../testing/fakeLibnut.js';
import { FakeMedia, FakeSignaling, sessionView } from '../testing/fakeSession.js';
import { SharingSession } from './sharingSession.js';

/** A pipeline that can connect before capture (as `ScreenShare` does). */
class EarlyMedia extends FakeMedia {
  connects = 0;
  async connect(): Promise<void> {
    this.connects++;
    this.emit('signal', { kind: 'sdp', description: { type: 'offer', sdp: 'v=0 early' } });
  }
  override async start(): Promise<void> {
    this.started = true; // capture; the offer went with `connect`
  }
  /** `readyCapture` / `cancelCapture` calls, in order. */
  readonly held: string[] = [];
  readyCapture(): void {
    this.held.push('ready');
  }
  async cancelCapture(): Promise<void> {
    this.held.push('cancel');
  }
}

const move = (x: number, y: number) => JSON.stringify({ type: 'pointerMove', x, y });
const answer = { kind: 'sdp', description: { type: 'answer', sdp: 'v=0 answer' } } as const;

describe('SharingSession: connecting while the sharer reads the request', () => {
  let nut: ReturnType<typeof fakeLibnut>;
  let signaling: FakeSignaling;
  let media: EarlyMedia;
  let opened: number;
  let injectors: number;
  let respond: ReturnType<typeof vi.fn<(id: string, allow: boolean) => Promise<SessionView>>>;
  let session: SharingSession;

  beforeEach(async () => {
    nut = fakeLibnut();
    signaling = new FakeSignaling();
    media = new EarlyMedia();
    opened = 0;
    injectors = 0;
    respond = vi.fn(async () => sessionView('active', { mode: 'control', version: 3 }));
    session = new SharingSession({
      api: {
        redeem: async () => sessionView('joined'),
        respond,
        dropControl: async () => sessionView('active', { mode: 'view' }),
        leave: async () => sessionView('ended', { endReason: 'sharer_left' }),
      },
      signaling,
      media: async () => {
        opened++;
        return media;
      },
      injector: async (display) => {
        injectors++;
        return new LibnutInjector(nut, display);
      },
      cursorIntervalMs: 5,
    });
    await session.redeem('12345678');
  });

  const request = (mode: 'view' | 'control' = 'control') =>
    signaling.push(sessionView('requested', { pendingMode: mode, version: 2 }));

  it('offers and takes the answer before Allow, capturing nothing and injecting nothing', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    expect(signaling.sent).toEqual([{ kind: 'sdp', description: { type: 'offer', sdp: 'v=0 early' } }]);
    signaling.emit('signal', 'session-1', 'helper', answer);
    await vi.waitFor(() => expect(media.signals).toEqual([answer]));
    // The channels open: the control link stays silent, the helper's messages go nowhere.
    media.emit('channelopen', 'control');
    media.emit('control', JSON.stringify({ type: 'laser', x: 0.5, y: 0.5 }));
    media.emit('input', move(0.5, 0.5), 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(media.started).toBe(false);
    expect(media.control).toEqual([]);
    expect(session.snapshot().laser).toBeNull();
    expect(injectors).toBe(0);
    expect(nut.calls).toEqual([]);
    expect(session.gate.state().mode).toBeNull();
  });

  it('Allow starts capture on the connection already made; input sent before Allow is never injected', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    media.emit('channelopen', 'control');
    media.emit('input', move(0.1, 0.1), 1); // before Allow: dropped, not kept for later
    await session.respond(true);
    await vi.waitFor(() => expect(media.started).toBe(true));
    expect(opened).toBe(1);
    expect(media.connects).toBe(1);
    expect(signaling.sent.filter((p) => p.kind === 'sdp')).toHaveLength(1); // no second offer
    // Now the control link speaks (displays, control state) and input follows the mode.
    expect(media.sentControl('displays')).toHaveLength(1);
    await vi.waitFor(() => expect(injectors).toBe(1));
    media.emit('input', move(0.5, 0.5), 1);
    await vi.waitFor(() => expect(nut.calls.filter((c) => c[0] === 'moveMouse')).toHaveLength(1));
    expect(nut.calls.find((c) => c[0] === 'moveMouse')).toEqual(['moveMouse', 500, 250]);
  });

  it('Allow reads the screen while the answer travels: capture readied before the server answers, started after', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    let answer: (view: SessionView) => void = () => undefined;
    respond.mockImplementationOnce(() => new Promise<SessionView>((resolve) => (answer = resolve)));
    const responding = session.respond(true);
    expect(media.held).toEqual(['ready']); // at the click, before the server has it
    expect(media.started).toBe(false); // nothing leaves until the session is active
    answer(sessionView('active', { mode: 'control', version: 3 }));
    await responding;
    await vi.waitFor(() => expect(media.started).toBe(true));
    expect(media.held).toEqual(['ready']);
  });

  it('an Allow the server refuses stops the readied capture; a decline readies nothing', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    respond.mockRejectedValueOnce(new Error('invalid_transition'));
    await expect(session.respond(true)).rejects.toThrow('invalid_transition');
    await vi.waitFor(() => expect(media.held).toEqual(['ready', 'cancel']));
    expect(media.started).toBe(false);
    respond.mockResolvedValueOnce(sessionView('ended', { endReason: 'declined', version: 3 }));
    await session.respond(false);
    expect(media.held).toEqual(['ready', 'cancel']);
  });

  it('a decline ends the session and closes the early connection', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    respond.mockResolvedValueOnce(sessionView('ended', { endReason: 'declined', version: 3 }));
    await session.respond(false);
    await vi.waitFor(() => expect(media.closed).toBe(true));
    expect(media.started).toBe(false);
    expect(signaling.detached).toEqual(['session-1']);
    expect(session.snapshot().media).toBe('none');
  });

  it('a request that goes away unanswered closes the connection and leaves the session attached', async () => {
    request();
    await vi.waitFor(() => expect(media.connects).toBe(1));
    signaling.push(sessionView('joined', { version: 3 }));
    await vi.waitFor(() => expect(media.closed).toBe(true));
    expect(signaling.detached).toEqual([]);
    expect(session.snapshot().media).toBe('none');
    // A later request starts on a new pipeline.
    const second = new EarlyMedia();
    media = second;
    signaling.push(sessionView('requested', { pendingMode: 'view', version: 4 }));
    await vi.waitFor(() => expect(second.connects).toBe(1));
    expect(opened).toBe(2);
  });

  it('an Allow that comes while the connection is still being made starts capture once it is made', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const connect = media.connect.bind(media);
    let connecting = false;
    media.connect = async () => {
      connecting = true;
      await gate;
      await connect();
    };
    request('view');
    await vi.waitFor(() => expect(connecting).toBe(true));
    respond.mockResolvedValueOnce(sessionView('active', { mode: 'view', version: 3 }));
    await session.respond(true);
    expect(media.started).toBe(false);
    release();
    await vi.waitFor(() => expect(media.started).toBe(true));
    expect(media.connects).toBe(1);
  });
});
