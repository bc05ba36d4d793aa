/**
 * Revoking a device's enrollment on its page, rendered to HTML with the real components and
 * the real locale files: "Revoke enrollment" only for Manage devices and only while the device
 * is enrolled, the confirmation's account of what revoking does, and "Revoked on …" with the
 * date and time as the page writes dates (the whole journey against the server is in
 * e2e/adminRevokeDevice.e2e.ts).
 */
import i18next from 'i18next';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import type { Permission } from '@remote-help/protocol';
import ar from '../../i18n/locales/ar.json';
import en from '../../i18n/locales/en.json';
import { device } from '../../test/fixtures';
import { dateTimeText } from './DeviceBadges';
import { RevokeDeviceButton, RevokeEffects, RevokedOn } from './RevokeDevice';

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: en }, ar: { translation: ar } },
    interpolation: { escapeValue: false },
  });
});

/** Renders in the instance's current language, with the page direction the app would give it. */
function render(node: ReactNode): string {
  return renderToStaticMarkup(
    <I18nextProvider i18n={i18n}>
      <FluentProvider theme={webLightTheme} dir={i18n.dir(i18n.language)}>
        {node}
      </FluentProvider>
    </I18nextProvider>,
  );
}

/** The visible text of some HTML (not the theme's style sheet), without the isolates around names and dates. */
const text = (html: string) =>
  html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[\u2068\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();

const button = (permissions: Permission[], revoked = false) =>
  render(
    <RevokeDeviceButton
      device={device(revoked ? { enrollmentStatus: 'revoked', revokedAt: '2030-01-03T09:15:00.000Z' } : {})}
      permissions={permissions}
      onRevoked={() => undefined}
    />,
  );

describe('Revoke enrollment on the device page', () => {
  it('is offered to a person who manages devices, for an enrolled device', () => {
    expect(text(button(['devices.read', 'devices.manage']))).toBe('Revoke enrollment');
  });

  it('is not offered to a Help Desk Operator or a Read Only Operator', () => {
    const helpDesk: Permission[] = [
      'remoteHelp.viewScreen',
      'remoteHelp.takeFullControl',
      'remoteTasks.offerRemoteAssistance',
      'reports.read',
    ];
    expect(button(helpDesk)).not.toContain('data-testid="revoke-device"');
    expect(button(['reports.read', 'devices.read', 'audit.read'])).not.toContain('data-testid="revoke-device"');
  });

  it('is not offered again for a device already revoked', () => {
    expect(button(['devices.manage'], true)).not.toContain('data-testid="revoke-device"');
  });
});

describe('the confirmation', () => {
  it('says what revoking does before anyone confirms', () => {
    const said = text(render(<RevokeEffects />));
    expect(said).toContain('can no longer prove that it belongs to your organization');
    expect(said).toContain('shows as not enrolled');
    expect(said).toContain('can no longer launch Remote Help on it, and sessions running on it end now');
    expect(said).toContain('Its record and its session history are kept.');
    expect(said).toContain('enroll it with a new token: it then appears as a new device');
  });
});

describe('Revoked on …', () => {
  const revokedAt = '2030-01-03T09:15:00.000Z';

  it('shows when the enrollment was revoked, as the page writes dates and times', () => {
    const html = render(<RevokedOn device={{ revokedAt }} />);
    expect(html.toLowerCase()).toContain(`datetime="${revokedAt.toLowerCase()}"`);
    expect(text(html)).toBe(`Revoked on ${dateTimeText('en', revokedAt)}`);
  });

  it('in Arabic too, with the date set apart from the right-to-left sentence', async () => {
    await i18n.changeLanguage('ar');
    try {
      const html = render(<RevokedOn device={{ revokedAt }} />);
      const date = dateTimeText('ar', revokedAt);
      expect(html).toContain(`\u2068${date}\u2069`);
      expect(text(html)).toBe(ar.admin.devices.revoke.revokedOn.replace('{{date}}', date));
      expect(text(html)).not.toContain('Revoked');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('shows nothing while the enrollment stands', () => {
    expect(render(<RevokedOn device={{ revokedAt: null }} />)).toBe(render(null));
  });
});
