import { describe, expect, it } from 'vitest';
import { SHARER_STATUSES } from '@remote-help/protocol';
import { pictureState, RELOAD_ALLOWANCE_MS } from './pictureState';

const CONNECTION_STATES: RTCPeerConnectionState[] = [
  'new',
  'connecting',
  'connected',
  'disconnected',
  'failed',
  'closed',
];

describe('pictureState', () => {
  it('is live only when the sharer is online, shares and the connection is up', () => {
    expect(pictureState({ peerOnline: true, sharerStatus: 'sharing' }, 'connected', true)).toBe('live');
    expect(pictureState({ peerOnline: true, sharerStatus: 'pending' }, 'connected', true)).toBe('live');
    for (const peerOnline of [true, false]) {
      for (const sharerStatus of SHARER_STATUSES) {
        for (const connection of CONNECTION_STATES) {
          for (const ever of [true, false]) {
            const live = peerOnline && connection === 'connected' && ['sharing', 'pending'].includes(sharerStatus);
            expect(pictureState({ peerOnline, sharerStatus }, connection, ever) === 'live').toBe(live);
          }
        }
      }
    }
  });

  it('says the sharer is offline before anything else, even over a connection that still looks up', () => {
    for (const sharerStatus of SHARER_STATUSES) {
      expect(pictureState({ peerOnline: false, sharerStatus }, 'connected', true)).toBe('offline');
    }
  });

  it('reads a sharer whose page just went away saying "choosing" as reloading, then as offline', () => {
    const gone = { peerOnline: false, sharerStatus: 'choosing' } as const;
    expect(pictureState(gone, 'failed', true, 0)).toBe('choosing');
    expect(pictureState(gone, 'failed', true, RELOAD_ALLOWANCE_MS - 1)).toBe('choosing');
    expect(pictureState(gone, 'failed', true, RELOAD_ALLOWANCE_MS)).toBe('offline');
    expect(pictureState(gone, 'failed', true)).toBe('offline');
    // Any other status of an offline sharer is offline at once.
    for (const sharerStatus of ['sharing', 'paused', 'unavailable', 'pending'] as const) {
      expect(pictureState({ peerOnline: false, sharerStatus }, 'connected', true, 0)).toBe('offline');
    }
  });

  it("names the sharer's own status over the connection's", () => {
    for (const connection of CONNECTION_STATES) {
      expect(pictureState({ peerOnline: true, sharerStatus: 'choosing' }, connection, true)).toBe('choosing');
      expect(pictureState({ peerOnline: true, sharerStatus: 'paused' }, connection, true)).toBe('paused');
      expect(pictureState({ peerOnline: true, sharerStatus: 'unavailable' }, connection, false)).toBe('unavailable');
    }
  });

  it('is reconnecting after the connection was up once, connecting before', () => {
    for (const connection of ['new', 'connecting', 'disconnected', 'failed', 'closed'] as const) {
      expect(pictureState({ peerOnline: true, sharerStatus: 'sharing' }, connection, true)).toBe('reconnecting');
      expect(pictureState({ peerOnline: true, sharerStatus: 'sharing' }, connection, false)).toBe('connecting');
    }
  });
});
