import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../i18n/locales/en.json';
import { person, session } from '../test/fixtures';
import { alertTitle, joinedMessage, joinedVia, sharerJustJoined } from './joinAlert';

const t = i18next.createInstance();
beforeAll(async () => {
  await t.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false } });
});

const lena = person({ id: 'u_lena', displayName: 'Lena Fischer' });
const waiting = session({ state: 'waiting' });
const joined = session({ state: 'joined', sharer: lena, via: 'code' });

describe('joinedVia', () => {
  it('is launch only when the server says so; an older server means a code', () => {
    expect(joinedVia({ via: 'launch' })).toBe('launch');
    expect(joinedVia({ via: 'code' })).toBe('code');
    expect(joinedVia({})).toBe('code');
  });
});

describe('sharerJustJoined', () => {
  it('is the helper’s first view of their session after waiting', () => {
    expect(sharerJustJoined(waiting, joined)).toBe(true);
  });

  it('is not a reload into a joined session, another session, a later change, or the sharer’s view', () => {
    expect(sharerJustJoined(null, joined)).toBe(false);
    expect(sharerJustJoined(waiting, { ...joined, id: 's2' })).toBe(false);
    expect(sharerJustJoined(joined, { ...joined, version: 2 })).toBe(false);
    expect(sharerJustJoined(joined, { ...joined, state: 'requested' })).toBe(false);
    expect(sharerJustJoined(waiting, { ...waiting, state: 'ended', endReason: 'out_of_scope' })).toBe(false);
    expect(sharerJustJoined({ ...waiting, role: 'sharer' }, { ...joined, role: 'sharer' })).toBe(false);
  });
});

describe('joinedMessage', () => {
  it('says the sharer entered the code, or accepted the request after a remote launch', () => {
    const tf = t.t.bind(t);
    expect(joinedMessage(tf, joined)).toBe('Lena Fischer entered your code');
    expect(joinedMessage(tf, { ...joined, via: 'launch', device: { id: 'd1', name: 'LENA-PC' } })).toBe(
      'Lena Fischer accepted your request',
    );
  });

  it('says nothing before the sharer joined, once the helper has asked, after the end, or to the sharer', () => {
    const tf = t.t.bind(t);
    expect(joinedMessage(tf, null)).toBeNull();
    expect(joinedMessage(tf, waiting)).toBeNull();
    expect(joinedMessage(tf, { ...joined, state: 'requested', pendingMode: 'view' })).toBeNull();
    expect(joinedMessage(tf, { ...joined, state: 'ended', endReason: 'sharer_left' })).toBeNull();
    expect(joinedMessage(tf, { ...joined, role: 'sharer' })).toBeNull();
  });

  it('puts the message in front of the page title', () => {
    expect(alertTitle(t.t.bind(t), 'Lena Fischer entered your code', 'Remote Help')).toBe(
      'Lena Fischer entered your code – Remote Help',
    );
  });
});
