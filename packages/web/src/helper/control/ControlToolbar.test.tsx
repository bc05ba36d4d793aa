/**
 * The display picker of the remote view's toolbar, rendered to HTML with the real components and
 * English texts: the displays' names are the sharer's device's own, normalised like a device's name.
 */
import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { FluentProvider, SSRProvider, webLightTheme } from '@fluentui/react-components';
import type { DisplayInfo } from '@remote-help/protocol';
import en from '../../i18n/locales/en.json';
import { session } from '../../test/fixtures';
import { INITIAL_SNAPSHOT } from './ControlChannels';
import { ControlToolbar, displayName } from './ControlToolbar';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false },
  });
});

/** Controls (C0, C1) and invisible format characters (bidi overrides and isolates, zero-width space, …). */
const HIDDEN = /[\p{Cc}\p{Cf}]/u;

function render(displays: DisplayInfo[], current: string): string {
  return renderToStaticMarkup(
    <I18nextProvider i18n={i18n}>
      <SSRProvider>
        <FluentProvider theme={webLightTheme}>
          <ControlToolbar
            session={session({ state: 'active', sharerClient: 'agent', mode: 'view' })}
            permissions={['remoteHelp.viewScreen']}
            snapshot={{ ...INITIAL_SNAPSHOT, controlOpen: true, displays, currentDisplay: current }}
            laser={false}
            onLaserChange={() => undefined}
            onSelectDisplay={() => undefined}
            onRequestControl={() => undefined}
            busy={false}
          />
        </FluentProvider>
      </SSRProvider>
    </I18nextProvider>,
  );
}

const display = (id: string, name: string, primary = false): DisplayInfo => ({
  id,
  name,
  width: 1920,
  height: 1080,
  primary,
});

describe('the display picker', () => {
  // A name that reverses what follows it (U+202E), with a bell, a zero-width space and a line break.
  const spoof = display('d1', '\u202Eexe.\u0007Monitor\u200B\nLeft', true);

  it('normalises a display’s name like a device’s name', () => {
    expect(displayName(spoof)).toBe('exe.Monitor Left');
    expect(displayName(display('d3', 'x'.repeat(128))).length).toBeLessThanOrEqual(64);
    expect(displayName(display('d4', '\u202E\u2066'))).toBe('—');
    expect(displayName(display('d5', 'DELL U2720Q'))).toBe('DELL U2720Q');
  });

  it('shows the current display’s name without the controls the device put in it', () => {
    const html = render([spoof, display('d2', 'Built-in Display')], 'd1');
    const picker = /data-testid="display-picker"[\s\S]*?<\/button>/.exec(html)?.[0];
    if (picker === undefined) throw new Error(`no picker in ${html.slice(0, 300)}`);
    expect(picker).toContain('exe.Monitor Left');
    expect(picker).not.toMatch(HIDDEN);
  });
});
