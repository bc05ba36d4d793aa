import { describe, expect, it } from 'vitest';
import { controlNotice } from './controlNotice';
import { person, session } from '../../test/fixtures';

const active = (overrides: Parameters<typeof session>[0] = {}) =>
  session({ state: 'active', sharer: person({ id: 'u_bob' }), sharerClient: 'agent', mode: 'view', ...overrides });

describe('controlNotice', () => {
  it('reports a declined request made during the session', () => {
    expect(controlNotice(active({ pendingMode: 'control' }), active())).toBe('declined');
  });

  it('reports the sharer taking control back', () => {
    expect(controlNotice(active({ mode: 'control' }), active({ mode: 'view' }))).toBe('tookBack');
  });

  it('clears on allow, on a new request and when the session stops being active', () => {
    expect(controlNotice(active({ pendingMode: 'control' }), active({ mode: 'control' }))).toBe('clear');
    expect(controlNotice(active(), active({ pendingMode: 'control' }))).toBe('clear');
    expect(controlNotice(active({ mode: 'control' }), active({ state: 'ended', mode: 'control' }))).toBe('clear');
  });

  it('says nothing on a first view, another session or an unrelated change', () => {
    expect(controlNotice(null, active())).toBe('clear');
    expect(controlNotice(active({ id: 's0', mode: 'control' }), active())).toBe('clear');
    expect(controlNotice(active(), active({ peerOnline: true }))).toBe('keep');
    expect(controlNotice(active({ mode: 'control' }), active({ mode: 'control', peerOnline: false }))).toBe('keep');
    expect(controlNotice(session({ state: 'requested', pendingMode: 'control' }), active({ mode: 'control' }))).toBe(
      'clear',
    );
  });
});
