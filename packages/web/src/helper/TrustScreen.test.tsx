/**
 * The helper's trust screen, rendered to HTML with the real components and English texts: after
 * a remote launch it says the person accepted the request on their device, never that they
 * entered the helper's code (the launch journey with the agent is in e2e/helperPolish.e2e.ts).
 */
import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import type { SessionView } from '@remote-help/protocol';
import en from '../i18n/locales/en.json';
import { person, session } from '../test/fixtures';
import { TrustScreen } from './TrustScreen';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false },
  });
});

function render(view: SessionView): string {
  const html = renderToStaticMarkup(
    <I18nextProvider i18n={i18n}>
      <FluentProvider theme={webLightTheme}>
        <TrustScreen
          session={view}
          permissions={['remoteHelp.viewScreen']}
          busy={false}
          onRequest={() => undefined}
          onLeave={() => undefined}
        />
      </FluentProvider>
    </I18nextProvider>,
  );
  const intro = /data-testid="trust-intro"[^>]*>([^<]*)</.exec(html)?.[1];
  if (intro === undefined) throw new Error(`no intro in ${html.slice(0, 300)}`);
  return intro.replace(/[\u2068\u2069]/g, '');
}

const lena = person({ id: 'u_lena', displayName: 'Lena Fischer' });

describe('the trust screen’s first sentence', () => {
  it('after a code: the sharer entered your code', () => {
    const text = render(session({ state: 'joined', sharer: lena, sharerClient: 'web', via: 'code' }));
    expect(text).toBe('Lena Fischer entered your code. Make sure this is the person you expect before you continue.');
  });

  it('after a remote launch: the person accepted the request on the device, not "entered your code"', () => {
    const text = render(
      session({
        state: 'joined',
        sharer: lena,
        sharerClient: 'agent',
        via: 'launch',
        device: { id: 'd1', name: 'LENA-PC' },
      }),
    );
    expect(text).toBe(
      'Lena Fischer accepted your request on the device “LENA-PC”. Make sure this is the person you expect before you continue.',
    );
    expect(text).not.toContain('entered your code');
  });

  it('an enrolled agent that entered a code still entered the code', () => {
    const text = render(
      session({ state: 'joined', sharer: lena, sharerClient: 'agent', via: 'code', device: { id: 'd1', name: 'X' } }),
    );
    expect(text).toContain('entered your code');
  });
});
