import { describe, expect, it } from 'vitest';
import { sdpSessionId } from '@remote-help/protocol';
import { icePayload, relayProblem, toRtcConfiguration } from './rtc';
import { newerSession } from './sessionOrder';
import { formatDuration } from './useNow';
import { session } from '../test/fixtures';

describe('rtc helpers', () => {
  it('reads the SDP session id from the origin line', () => {
    const sdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\n';
    expect(sdpSessionId(sdp)).toBe('4611731400430051336');
    expect(sdpSessionId('v=0\r\n')).toBeNull();
  });

  it('maps ICE servers without inventing credentials', () => {
    expect(toRtcConfiguration([{ urls: 'stun:a' }, { urls: ['turn:b'], username: 'u', credential: 'c' }])).toEqual({
      iceServers: [{ urls: 'stun:a' }, { urls: ['turn:b'], username: 'u', credential: 'c' }],
    });
    expect(toRtcConfiguration(null)).toEqual({ iceServers: [] });
  });

  it('builds ice payloads the protocol accepts', () => {
    expect(icePayload(null)).toEqual({ kind: 'ice', candidate: null });
    const candidate = {
      candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abc',
    };
    expect(icePayload(candidate as RTCIceCandidate)).toEqual({ kind: 'ice', candidate });
    expect(icePayload({ ...candidate, candidate: 'x'.repeat(2000) } as RTCIceCandidate)).toBeNull();
  });
});

describe('relayProblem', () => {
  it('names refused credentials and an unanswered relay, nothing else', () => {
    for (const errorCode of [401, 403, 437, 441])
      expect(relayProblem({ url: 'turn:relay.example:443?transport=udp', errorCode })).toBe('refused');
    expect(relayProblem({ url: 'turns:relay.example:443?transport=tcp', errorCode: 701 })).toBe('unreachable');
    expect(relayProblem({ url: 'stun:relay.example:3478', errorCode: 701 })).toBeNull();
    expect(relayProblem({ url: 'turn:relay.example:443', errorCode: 486 })).toBeNull();
    expect(relayProblem({ url: null, errorCode: 401 })).toBeNull();
    expect(relayProblem({})).toBeNull();
  });
});

describe('newerSession', () => {
  it('never moves a session backwards, but switches to another session', () => {
    const active = session({ state: 'active' });
    expect(newerSession(active, session({ state: 'requested' }))).toBe(active);
    const ended = session({ state: 'ended' });
    expect(newerSession(active, ended)).toBe(ended);
    const other = session({ id: 's2', state: 'waiting' });
    expect(newerSession(active, other)).toBe(other);
    expect(newerSession(null, other)).toBe(other);
  });

  it('orders views inside active by the server version (a late reply loses)', () => {
    const allowed = session({ state: 'active', mode: 'control', pendingMode: null, version: 5 });
    const lateReply = session({ state: 'active', mode: 'view', pendingMode: 'control', version: 4 });
    expect(newerSession(allowed, lateReply)).toBe(allowed);
    expect(newerSession(lateReply, allowed)).toBe(allowed);
    const presence = session({ state: 'active', mode: 'control', version: 5, peerOnline: true });
    expect(newerSession(allowed, presence)).toBe(presence);
  });
});

describe('formatDuration', () => {
  it('formats remaining time', () => {
    expect(formatDuration(600_000)).toBe('10:00');
    expect(formatDuration(61_001)).toBe('1:02');
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(3_600_000)).toBe('1:00:00');
  });
});
