import { describe, expect, it } from 'vitest';
import {
  ClientMessage,
  IceServer,
  ProtocolError,
  RedeemCodeRequest,
  RequestModeRequest,
  RespondRequest,
  ServerMessage,
  iceUrlProblem,
  isHostName,
  parseWith,
} from './index.js';

const valid: unknown[] = [
  { type: 'attach', sessionId: 'abc_DEF-1' },
  { type: 'detach', id: 'r1', sessionId: 'abc' },
  { type: 'signal', sessionId: 'abc', payload: { kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } } },
  {
    type: 'signal',
    sessionId: 'abc',
    payload: {
      kind: 'ice',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    },
  },
  { type: 'signal', sessionId: 'abc', payload: { kind: 'ice', candidate: null } },
  { type: 'signal', sessionId: 'abc', payload: { kind: 'restart' } },
  { type: 'ping' },
];

const invalid: [string, unknown][] = [
  ['not an object', 'hello'],
  ['unknown type', { type: 'explode' }],
  ['missing session id', { type: 'attach' }],
  ['session id with a slash', { type: 'attach', sessionId: '../etc' }],
  ['extra field', { type: 'ping', admin: true }],
  [
    'bad sdp type',
    { type: 'signal', sessionId: 'a', payload: { kind: 'sdp', description: { type: 'pranswer', sdp: 'x' } } },
  ],
  ['empty sdp', { type: 'signal', sessionId: 'a', payload: { kind: 'sdp', description: { type: 'offer', sdp: '' } } }],
  [
    'huge sdp',
    {
      type: 'signal',
      sessionId: 'a',
      payload: { kind: 'sdp', description: { type: 'offer', sdp: 'x'.repeat(70_000) } },
    },
  ],
  ['unknown payload', { type: 'signal', sessionId: 'a', payload: { kind: 'mouse' } }],
  [
    'candidate too long',
    { type: 'signal', sessionId: 'a', payload: { kind: 'ice', candidate: { candidate: 'x'.repeat(2000) } } },
  ],
];

describe('client messages', () => {
  it.each(valid.map((v) => [JSON.stringify(v).slice(0, 60), v]))('accepts %s', (_, message) => {
    expect(() => parseWith(ClientMessage, message)).not.toThrow();
  });
  it.each(invalid)('rejects %s with a typed validation error', (_, message) => {
    try {
      parseWith(ClientMessage, message);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe('validation_failed');
      expect((error as ProtocolError).data?.issues).toBeInstanceOf(Array);
    }
  });
});

describe('REST bodies', () => {
  it('normalizes a code typed with spaces or dashes and refuses anything but 8 digits', () => {
    expect(parseWith(RedeemCodeRequest, { code: '1234 5678' })).toEqual({ code: '12345678', client: 'web' });
    expect(parseWith(RedeemCodeRequest, { code: '1234-5678', client: 'agent' }).code).toBe('12345678');
    for (const code of ['1234567', '123456789', '1234567a', '', ' ', 12345678]) {
      expect(() => parseWith(RedeemCodeRequest, { code })).toThrow(ProtocolError);
    }
  });
  it('accepts only known modes and a boolean answer', () => {
    expect(parseWith(RequestModeRequest, { mode: 'view' })).toEqual({ mode: 'view' });
    expect(() => parseWith(RequestModeRequest, { mode: 'admin' })).toThrow(ProtocolError);
    expect(() => parseWith(RespondRequest, { allow: 'yes' })).toThrow(ProtocolError);
  });
});

describe('server messages', () => {
  it('validates error frames against the closed set of codes', () => {
    expect(
      ServerMessage.safeParse({ type: 'error', ok: false, error: 'rate_limited', message: 'slow down' }).success,
    ).toBe(true);
    expect(ServerMessage.safeParse({ type: 'error', ok: false, error: 'made_up', message: 'x' }).success).toBe(false);
  });
});

describe('ICE servers', () => {
  const good = [
    'stun:stun.l.google.com:19302',
    'stun:stun.example.org',
    'stuns:stun.example.org:5349',
    'stun:192.0.2.10:3478',
    'stun:[2001:db8::1]:3478',
    'stun:[::ffff:192.0.2.1]',
    'stun:coturn',
    'turn:turn.example.org',
    'turn:turn.example.org:3478?transport=udp',
    'turns:turn.example.org:443?transport=tcp',
    'turn:[::1]:3478?transport=tcp',
    'turn:TURN.Example.ORG:65535',
  ];
  const bad: [string, RegExp][] = [
    ['stun.l.google.com:19302', /does not start with stun:/],
    ['http://x', /does not start with stun:/],
    ['https://turn.example.org', /does not start with stun:/],
    ['STUN:stun.example.org', /does not start with stun:/],
    ['', /does not start with stun:/],
    ['stun://stun.example.org', /without \/\//],
    ['stun:', /the host must be/],
    ['stun:user@stun.example.org', /the host must be/],
    ['stun:stun.example.org/path', /the host must be/],
    ['stun:stun_example.org', /the host must be/],
    ['stun:-stun.example.org', /the host must be/],
    ['stun:stun.example.org.', /the host must be/],
    ['stun:1.2.3.999', /the host must be/],
    ['stun:256.1.1.1', /the host must be/],
    ['stun:2001:db8::1', /IPv6 address in brackets/],
    ['stun:[2001:db8::g]', /the host must be/],
    ['stun:[fe80::1%eth0]', /the host must be/],
    ['stun:[192.0.2.1]', /the host must be/],
    [`stun:${'a'.repeat(64)}.example.org`, /the host must be/],
    ['stun:stun.example.org:', /the port must be/],
    ['stun:stun.example.org:0', /the port must be/],
    ['stun:stun.example.org:65536', /the port must be/],
    ['stun:stun.example.org:0x1f90', /the port must be/],
    ['stun:stun.example.org:3478:1', /the port must be/],
    ['stun:stun.example.org?transport=udp', /takes no query/],
    ['turn:turn.example.org?transport=sctp', /only query .* is \?transport=udp or \?transport=tcp/],
    ['turn:turn.example.org?transport=udp&x=1', /only query/],
    ['turns:turn.example.org:443?', /only query/],
    ['turn:turn.example.org#f', /the host must be/],
    [`stun:${'a.'.repeat(200)}org`, /at most 300 characters/],
  ];

  it.each(good)('accepts %s', (url) => {
    expect(iceUrlProblem(url)).toBeNull();
    expect(IceServer.safeParse({ urls: url, username: 'u', credential: 'c' }).success).toBe(true);
  });
  it.each(bad)('refuses %s, saying why', (url, why) => {
    expect(iceUrlProblem(url)).toMatch(why);
    expect(IceServer.safeParse({ urls: url, username: 'u', credential: 'c' }).success).toBe(false);
    expect(IceServer.safeParse({ urls: ['stun:stun.example.org', url], username: 'u', credential: 'c' }).success).toBe(
      false,
    );
  });

  it('needs a username and a credential for turn: and turns:, not for stun:', () => {
    expect(IceServer.safeParse({ urls: 'stun:stun.example.org' }).success).toBe(true);
    for (const entry of [
      { urls: 'turn:turn.example.org' },
      { urls: ['stun:stun.example.org', 'turns:turn.example.org:443'], username: 'u' },
      { urls: 'turn:turn.example.org', credential: 'c' },
      { urls: 'turn:turn.example.org', username: '', credential: 'c' },
    ]) {
      const parsed = IceServer.safeParse(entry);
      expect(parsed.success, JSON.stringify(entry)).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/needs a username and a credential/);
    }
    expect(IceServer.safeParse({ urls: [] }).success).toBe(false);
  });

  it('refuses a hello carrying an ICE server no WebRTC client would take', () => {
    const hello = (urls: string) => ({ type: 'hello', userId: 'u1', iceServers: [{ urls }], heartbeatMs: 2000 });
    expect(ServerMessage.safeParse(hello('stun:stun.example.org')).success).toBe(true);
    expect(ServerMessage.safeParse(hello('stun.example.org:3478')).success).toBe(false);
  });

  it('tells host names from broken addresses and other text', () => {
    for (const name of ['localhost', 'help.example.com', 'xn--bcher-kva.example', 'a-b.c1', 'db1']) {
      expect(isHostName(name), name).toBe(true);
    }
    for (const text of ['', 'not a host!', '1.2.3.4', '10.0.0.256', 'under_score.example', 'a..b', 'x.', '-a', '::1']) {
      expect(isHostName(text), text).toBe(false);
    }
  });
});
