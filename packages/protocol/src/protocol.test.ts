import { describe, expect, it } from 'vitest';
import {
  ClientMessage,
  ProtocolError,
  RedeemCodeRequest,
  RequestModeRequest,
  RespondRequest,
  ServerMessage,
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
