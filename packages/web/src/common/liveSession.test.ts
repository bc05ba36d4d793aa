import { describe, expect, it } from 'vitest';
import { SESSION_STATES } from '@remote-help/protocol';
import { getLiveSession, setLiveSession, signOutEndsHelp } from './liveSession';
import type { LiveSession } from './liveSession';

const live = (state: LiveSession['state']): LiveSession => ({ id: 's1', state, role: 'helper', peerName: 'Lena' });

describe('signOutEndsHelp', () => {
  it('asks only while someone is on the other side', () => {
    const asks = SESSION_STATES.filter((state) => signOutEndsHelp(live(state)));
    expect(asks).toEqual(['joined', 'requested', 'active']);
    expect(signOutEndsHelp(null)).toBe(false);
    expect(signOutEndsHelp({ ...live('active'), role: 'sharer' })).toBe(true);
  });
});

describe('the published session', () => {
  it('is what was set last, null when cleared', () => {
    setLiveSession(live('joined'));
    expect(getLiveSession()).toMatchObject({ id: 's1', state: 'joined' });
    setLiveSession(null);
    expect(getLiveSession()).toBeNull();
  });
});
