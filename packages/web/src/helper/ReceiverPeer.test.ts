import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignalPayload } from '@remote-help/protocol';
import { MAX_CHANNELS, ReceiverPeer } from './ReceiverPeer';

/** Just enough of `RTCPeerConnection` to drive the answerer, plus a way to open channels. */
class FakePeerConnection {
  static created: FakePeerConnection[] = [];
  remoteDescription: RTCSessionDescriptionInit | null = null;
  localDescription: RTCSessionDescriptionInit | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  closed = false;
  ontrack: ((event: unknown) => void) | null = null;
  onicecandidate: ((event: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  onicecandidateerror: ((event: { url: string; errorCode: number }) => void) | null = null;
  ondatachannel: ((event: { channel: RTCDataChannel }) => void) | null = null;
  constructor() {
    FakePeerConnection.created.push(this);
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    this.remoteDescription = description;
  }
  async createAnswer() {
    return { type: 'answer', sdp: 'v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\n' };
  }
  async setLocalDescription(description: RTCSessionDescriptionInit) {
    this.localDescription = description;
  }
  async addIceCandidate() {}
  /** Data channels this side created (the pre-negotiated heartbeat). */
  readonly ownChannels: FakeChannel[] = [];
  createDataChannel(label: string, init: RTCDataChannelInit) {
    const channel = new FakeChannel(label, init);
    this.ownChannels.push(channel);
    return channel as unknown as RTCDataChannel;
  }
  close() {
    this.closed = true;
  }
  /** The offerer opened a channel. */
  openChannel(label: string) {
    const channel = { label, close: vi.fn() } as unknown as RTCDataChannel;
    this.ondatachannel?.({ channel });
    return channel;
  }
}

/** A channel this side created: records what it sent; the test delivers messages. */
class FakeChannel {
  readyState: RTCDataChannelState = 'open';
  readonly sent: string[] = [];
  onmessage: (() => void) | null = null;
  constructor(
    readonly label: string,
    readonly init: RTCDataChannelInit,
  ) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 'closed';
  }
}

const offer = (session: string, ufrag = 'aaaa'): SignalPayload => ({
  kind: 'sdp',
  description: { type: 'offer', sdp: `v=0\r\no=- ${session} 2 IN IP4 127.0.0.1\r\ns=-\r\na=ice-ufrag:${ufrag}\r\n` },
});

async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('ReceiverPeer data channels', () => {
  beforeEach(() => {
    FakePeerConnection.created = [];
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  });
  afterEach(() => vi.unstubAllGlobals());

  function setup() {
    const sent: SignalPayload[] = [];
    const peer = new ReceiverPeer(
      (payload) => sent.push(payload),
      () => ({}),
    );
    const seen: ReadonlyMap<string, RTCDataChannel>[] = [];
    peer.on('channels', (channels) => seen.push(channels));
    return { peer, sent, seen };
  }

  it('exposes the offerer’s channels by label and still answers', async () => {
    const { peer, sent, seen } = setup();
    peer.handle(offer('111'));
    await settle();
    expect(sent).toEqual([
      { kind: 'sdp', description: { type: 'answer', sdp: 'v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\n' } },
    ]);
    const pc = FakePeerConnection.created[0]!;
    const input = pc.openChannel('input');
    const control = pc.openChannel('control');
    expect(peer.channels.get('input')).toBe(input);
    expect(peer.channels.get('control')).toBe(control);
    expect(seen.map((map) => [...map.keys()])).toEqual([['input'], ['input', 'control']]);
  });

  it('closes the channels with the connection on restart and on a fresh offer', async () => {
    const { peer, seen } = setup();
    peer.handle(offer('111'));
    await settle();
    const first = FakePeerConnection.created[0]!;
    const input = first.openChannel('input');
    peer.handle(offer('111')); // Renegotiation of the same connection keeps it.
    await settle();
    expect(FakePeerConnection.created).toHaveLength(1);
    expect(peer.channels.get('input')).toBe(input);

    peer.handle(offer('222')); // A new connection on the other side: start over.
    await settle();
    expect(first.closed).toBe(true);
    expect(input.close).toHaveBeenCalled();
    expect(FakePeerConnection.created).toHaveLength(2);
    expect(peer.channels.size).toBe(0);
    expect(seen.at(-1)?.size).toBe(0);
    first.openChannel('control'); // Late events of the old connection are ignored.
    expect(peer.channels.size).toBe(0);

    const second = FakePeerConnection.created[1]!;
    second.openChannel('control');
    peer.handle({ kind: 'restart' });
    await settle();
    expect(second.closed).toBe(true);
    expect(peer.channels.size).toBe(0);
    expect(peer.hasConnection).toBe(false);
  });
});

describe('ReceiverPeer: channels the agent does not open', () => {
  beforeEach(() => {
    FakePeerConnection.created = [];
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  });
  afterEach(() => vi.unstubAllGlobals());

  async function connected() {
    const peer = new ReceiverPeer(
      () => undefined,
      () => ({}),
    );
    const seen: ReadonlyMap<string, RTCDataChannel>[] = [];
    peer.on('channels', (channels) => seen.push(channels));
    peer.handle(offer('111'));
    await settle();
    return { peer, seen, pc: FakePeerConnection.created[0]! };
  }

  it('closes a channel of any other label at once, keeps none and tells nobody', async () => {
    const { peer, seen, pc } = await connected();
    const strays = Array.from({ length: 1000 }, (_, i) => pc.openChannel(`stray-${i}`));
    expect(peer.channels.size).toBe(0);
    expect(seen).toEqual([]);
    for (const stray of strays) expect(stray.close).toHaveBeenCalledOnce();
    // The agent's own still come through.
    const control = pc.openChannel('control');
    expect(peer.channels.get('control')).toBe(control);
    expect(seen).toHaveLength(1);
  });

  it('takes at most a few channels from one connection, however many the offerer opens', async () => {
    const { peer, seen, pc } = await connected();
    const opened = Array.from({ length: 1000 }, () => pc.openChannel('control'));
    expect(seen).toHaveLength(MAX_CHANNELS);
    expect(MAX_CHANNELS).toBeLessThanOrEqual(10);
    expect(peer.channels.size).toBe(1);
    expect(peer.channels.get('control')).toBe(opened[MAX_CHANNELS - 1]);
    // Each replaced one and each refused one is closed; the one kept is not.
    for (const channel of opened.slice(0, MAX_CHANNELS - 1)) expect(channel.close).toHaveBeenCalledOnce();
    for (const channel of opened.slice(MAX_CHANNELS)) expect(channel.close).toHaveBeenCalledOnce();
    expect(opened[MAX_CHANNELS - 1]!.close).not.toHaveBeenCalled();
  });

  it('starts counting again on a new connection', async () => {
    const { peer, pc } = await connected();
    for (let i = 0; i < 2 * MAX_CHANNELS; i++) pc.openChannel('control');
    peer.handle(offer('222'));
    await settle();
    const input = FakePeerConnection.created[1]!.openChannel('input');
    expect(peer.channels.get('input')).toBe(input);
  });
});

describe('ReceiverPeer relay problems', () => {
  beforeEach(() => {
    FakePeerConnection.created = [];
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('reports a relay that refused or did not answer, refused first, until the connection is reset', async () => {
    const peer = new ReceiverPeer(
      () => undefined,
      () => ({}),
    );
    const relay: (string | null)[] = [];
    peer.on('relay', (problem) => relay.push(problem));
    peer.handle(offer('111'));
    await settle();
    const pc = FakePeerConnection.created[0]!;
    pc.onicecandidateerror?.({ url: 'stun:stun.example:3478', errorCode: 701 }); // not the relay
    pc.onicecandidateerror?.({ url: 'turn:turn.example:443?transport=udp', errorCode: 701 });
    pc.onicecandidateerror?.({ url: 'turn:turn.example:443?transport=tcp', errorCode: 701 }); // said already
    pc.onicecandidateerror?.({ url: 'turns:turn.example:443?transport=tcp', errorCode: 401 });
    pc.onicecandidateerror?.({ url: 'turn:turn.example:443?transport=udp', errorCode: 701 }); // refused stays
    expect(relay).toEqual(['unreachable', 'refused']);
    peer.handle({ kind: 'restart' });
    await settle();
    expect(relay).toEqual(['unreachable', 'refused', null]);
    pc.onicecandidateerror?.({ url: 'turn:turn.example:443', errorCode: 401 }); // the old connection: ignored
    expect(relay).toHaveLength(3);
  });
});

/** A peer with what it sends, its states and its path events recorded. */
function watchedPeer() {
  const sent: SignalPayload[] = [];
  const peer = new ReceiverPeer(
    (payload) => sent.push(payload),
    () => ({}),
  );
  const states: string[] = [];
  const paths: string[] = [];
  peer.on('state', (state) => states.push(state));
  peer.on('path', (path) => paths.push(path));
  return { peer, sent, states, paths };
}

describe('ReceiverPeer network path', () => {
  beforeEach(() => {
    FakePeerConnection.created = [];
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs the heartbeat, reads disconnected after 1.25 s of silence, and asks for an ICE restart once signaling is back', async () => {
    const { peer, sent, states, paths } = watchedPeer();
    peer.handle(offer('111'));
    await settle();
    const pc = FakePeerConnection.created[0]!;
    const heartbeat = pc.ownChannels[0]!;
    expect(heartbeat.label).toBe('heartbeat');
    expect(heartbeat.init).toMatchObject({ negotiated: true, id: 1000, ordered: false, maxRetransmits: 0 });
    pc.connectionState = 'connected';
    pc.onconnectionstatechange?.();
    vi.advanceTimersByTime(250);
    expect(heartbeat.sent).toEqual(['hb']);
    heartbeat.onmessage?.();
    expect(paths).toEqual(['up']);
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(250);
      heartbeat.onmessage?.();
    }
    expect(paths).toEqual(['up']);
    peer.signalingRestored(); // the path is fine: nothing to ask
    expect(sent.filter((payload) => payload.kind === 'restart')).toEqual([]);

    vi.advanceTimersByTime(1000);
    expect(paths).toEqual(['up']);
    vi.advanceTimersByTime(500);
    expect(paths).toEqual(['up', 'down']);
    expect(states.at(-1)).toBe('disconnected');
    peer.signalingRestored();
    expect(sent.at(-1)).toEqual({ kind: 'restart', ice: true });

    // The offerer's ICE restart brings the heartbeat back on the same connection.
    peer.handle(offer('111'));
    await settle();
    heartbeat.onmessage?.();
    expect(paths).toEqual(['up', 'down', 'up']);
    expect(states.at(-1)).toBe('connected');
    expect(FakePeerConnection.created).toHaveLength(1);
    // A restart request with `ice` is the offerer's business: the helper keeps its connection.
    peer.handle({ kind: 'restart', ice: true });
    await settle();
    expect(pc.closed).toBe(false);
    peer.close();
  });

  it('reads disconnected as soon as the offerer restarts ICE, even before its own silence limit', async () => {
    const { peer, sent, states, paths } = watchedPeer();
    peer.handle(offer('111', 'aaaa'));
    await settle();
    const pc = FakePeerConnection.created[0]!;
    const heartbeat = pc.ownChannels[0]!;
    pc.connectionState = 'connected';
    pc.onconnectionstatechange?.();
    heartbeat.onmessage?.();
    expect(states.at(-1)).toBe('connected');
    // The same offer again (no restart) changes nothing.
    peer.handle(offer('111', 'aaaa'));
    await settle();
    expect(states.at(-1)).toBe('connected');
    // 500 ms of silence, far below the limit: the agent saw its path die and restarts ICE.
    vi.advanceTimersByTime(500);
    peer.handle(offer('111', 'bbbb'));
    await settle();
    expect(states.at(-1)).toBe('disconnected');
    // Its signaling works (the offer came on it): no path event, so no signaling refresh or report.
    expect(paths).toEqual(['up']);
    expect(sent.at(-1)).toMatchObject({ kind: 'sdp', description: { type: 'answer' } });
    // The heartbeat on the new path: connected again, reported as up.
    heartbeat.onmessage?.();
    expect(states.at(-1)).toBe('connected');
    expect(paths).toEqual(['up', 'up']);
    expect(FakePeerConnection.created).toHaveLength(1);
    peer.close();
  });
});
