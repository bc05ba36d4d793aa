import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../common/api';
import en from '../i18n/locales/en.json';
import { helperErrorText } from './helperErrors';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.init({ lng: 'en', resources: { en: { translation: en } }, interpolation: { escapeValue: false } });
});

describe('helperErrorText', () => {
  it('says a scope refusal in the helper’s terms: whom to ask, and what else to do', () => {
    const text = helperErrorText(i18n.t.bind(i18n), new ApiError('out_of_scope', 'server words'));
    expect(text).toBe(en.helper.errors.out_of_scope);
    expect(text).toMatch(/^Your role does not cover this person or device/);
    expect(text).not.toBe(en.errors.out_of_scope);
  });

  it('says a role refusal in the helper’s terms', () => {
    expect(helperErrorText(i18n.t.bind(i18n), new ApiError('forbidden', 'x'))).toBe(en.helper.errors.forbidden);
  });

  it('reads every other failure as everywhere else', () => {
    expect(helperErrorText(i18n.t.bind(i18n), new ApiError('device_offline', 'x'))).toBe(en.errors.device_offline);
    expect(helperErrorText(i18n.t.bind(i18n), new Error('boom'))).toBe(en.errors.internal_error);
  });
});
