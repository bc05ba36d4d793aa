import i18next from 'i18next';
import type { TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../../i18n/locales/en.json';
import { appsText, grantSentence, unmetText, usersText } from './caText';

let t: TFunction;
beforeAll(async () => {
  const i18n = i18next.createInstance();
  await i18n.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false } });
  t = i18n.t;
});

const none = { userIds: [], groupIds: [], roleIds: [] };

describe('conditional access in words (English)', () => {
  it('says what a policy grants or blocks, with "and" for all controls and "or" for one of them', () => {
    const session = { signInFrequencyHours: null };
    expect(grantSentence(t, 'en', { grant: { kind: 'block' }, session })).toBe('Blocks access');
    expect(
      grantSentence(t, 'en', {
        grant: { kind: 'grant', operator: 'all', controls: ['mfa', 'compliantDevice'] },
        session,
      }),
    ).toBe('Requires multi-factor authentication and a compliant device');
    expect(
      grantSentence(t, 'en', {
        grant: { kind: 'grant', operator: 'one', controls: ['mfa', 'compliantDevice', 'enrolledDevice'] },
        session: { signInFrequencyHours: 1 },
      }),
    ).toBe(
      'Requires multi-factor authentication, a compliant device, or an enrolled device. Sign in again after 1 hour',
    );
  });

  it('names the targeted apps and people, and the unmet requirements', () => {
    expect(appsText(t, 'en', 'all')).toBe('All apps');
    expect(appsText(t, 'en', ['helper', 'admin'])).toBe('Helper app and Admin center');
    expect(usersText(t, { include: { kind: 'all' }, exclude: none })).toBe('All users');
    expect(
      usersText(t, {
        include: { kind: 'selected', userIds: ['u1'], groupIds: ['g1'], roleIds: [] },
        exclude: { ...none, userIds: ['u2'] },
      }),
    ).toBe('2 selected users, groups and roles (1 excluded)');
    expect(unmetText(t, 'en', [])).toBe('—');
    expect(unmetText(t, 'en', ['mfa', 'signInFrequency'])).toBe('Multi-factor authentication and Recent sign-in');
  });
});
