/** The per-session ICE servers: the username names expiry, session and person; nothing without TURN. */
import { describe, expect, it } from 'vitest';
import { turnPassword } from './credentials.js';
import { sessionIceServers } from './sessionIce.js';

describe('sessionIceServers', () => {
  const turn = { urls: ['turn:turn.example.org:3478'], secret: 'north-shared-secret-0123', ttlSeconds: 3600 };
  const stun = { urls: 'stun:stun.example.org' };

  it('signs <expiry>:<session>:<user> after the static servers, valid for the TTL', () => {
    const minted = sessionIceServers([stun], turn, 'sess_1', 'user_2', 1_699_996_400_500);
    const username = '1700000000:sess_1:user_2';
    expect(minted).toEqual({
      iceServers: [stun, { urls: turn.urls, username, credential: turnPassword(turn.secret, username) }],
      ttlSeconds: 3600,
    });
  });

  it('gives each participant and each session its own credential', () => {
    const at = 1_700_000_000_000;
    const names = [
      sessionIceServers([], turn, 's1', 'u1', at),
      sessionIceServers([], turn, 's1', 'u2', at),
      sessionIceServers([], turn, 's2', 'u1', at),
    ].map((m) => m.iceServers[0]?.credential);
    expect(new Set(names).size).toBe(3);
  });

  it('hands out only the static servers, with no lifetime, without TURN', () => {
    expect(sessionIceServers([stun], null, 's1', 'u1', 0)).toEqual({ iceServers: [stun], ttlSeconds: null });
  });

  it('refuses an id that would shift the fields coturn reads', () => {
    expect(() => sessionIceServers([], turn, 's:1', 'u1', 0)).toThrow(/must not contain/);
    expect(() => sessionIceServers([], turn, 's1', '', 0)).toThrow(/non-empty/);
  });
});
