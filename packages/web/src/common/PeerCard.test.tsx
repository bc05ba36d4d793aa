/**
 * The trust card's domain badge, rendered with the real components and English texts:
 * "Verified" only for a domain the organization proved by DNS, "asserted by the administrator"
 * (never "verified") for one it only asserted, and the unverified warning otherwise.
 */
import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import type { PersonCard } from '@remote-help/protocol';
import en from '../i18n/locales/en.json';
import { person } from '../test/fixtures';
import { PeerCard } from './PeerCard';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false },
  });
});

/** The badge's test id and text. */
function badge(card: PersonCard): { id: string; text: string } {
  const html = renderToStaticMarkup(
    <I18nextProvider i18n={i18n}>
      <FluentProvider theme={webLightTheme}>
        <PeerCard person={card} />
      </FluentProvider>
    </I18nextProvider>,
  );
  const found = /data-testid="((?:un)?verified-badge|asserted-badge)"[^>]*>(.*?)<\/div>/.exec(html);
  if (!found) throw new Error(`no badge in ${html.slice(0, 400)}`);
  return { id: found[1] ?? '', text: (found[2] ?? '').replace(/<[^>]+>/g, '').replace(/[\u2068\u2069]/g, '') };
}

describe('the trust card’s domain badge', () => {
  it('says Verified for a domain proved by DNS', () => {
    expect(badge(person({ verifiedDomain: 'contoso.com', assertedDomain: null }))).toEqual({
      id: 'verified-badge',
      text: 'Verified: contoso.com',
    });
  });

  it('says the administrator asserted a domain that has no DNS proof, never Verified', () => {
    expect(badge(person({ verifiedDomain: null, assertedDomain: 'contoso.com' }))).toEqual({
      id: 'asserted-badge',
      text: 'Domain asserted by the administrator: contoso.com',
    });
  });

  it('warns when the domain is not the organization’s', () => {
    expect(badge(person({ verifiedDomain: null, assertedDomain: null }))).toEqual({
      id: 'unverified-badge',
      text: 'Unverified',
    });
  });
});
