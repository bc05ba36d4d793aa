import { describe, expect, it } from 'vitest';
import type { SessionView } from '@remote-help/protocol';
import { sessionChange } from './sessionAnnouncement';

const person = { id: 'p1', displayName: 'Lena Fischer' } as SessionView['helper'];
function view(state: SessionView['state'], mode: SessionView['mode'] = null, id = 's1'): SessionView {
  return { id, state, mode, helper: person, sharer: person } as SessionView;
}

describe('sessionChange', () => {
  it('announces the sharer joining, once', () => {
    expect(sessionChange(view('waiting'), view('joined'))).toBe('joined');
    expect(sessionChange(view('joined'), view('joined'))).toBeNull();
    // The sharer's own app: no session, then the one it joined.
    expect(sessionChange(null, view('joined'))).toBe('joined');
  });

  it('announces the picture starting, control granted and control stopped', () => {
    expect(sessionChange(view('requested'), view('active', 'view'))).toBe('viewing');
    expect(sessionChange(view('requested'), view('active', 'control'))).toBe('controlGranted');
    expect(sessionChange(view('active', 'view'), view('active', 'control'))).toBe('controlGranted');
    expect(sessionChange(view('active', 'control'), view('active', 'view'))).toBe('controlStopped');
    expect(sessionChange(view('active', 'control'), view('active', 'control'))).toBeNull();
  });

  it('announces the end once, and nothing about a session first seen ended or a request', () => {
    expect(sessionChange(view('active', 'view'), view('ended'))).toBe('ended');
    expect(sessionChange(view('waiting'), view('ended'))).toBe('ended');
    expect(sessionChange(view('ended'), view('ended'))).toBeNull();
    expect(sessionChange(null, view('ended'))).toBeNull();
    expect(sessionChange(view('active', 'view'), view('ended', null, 's2'))).toBeNull();
    expect(sessionChange(view('joined'), view('requested'))).toBeNull();
    expect(sessionChange(view('ended'), null)).toBeNull();
  });
});
