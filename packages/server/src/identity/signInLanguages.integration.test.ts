/**
 * Integration (issue 10, languages): the embedded provider's pages through the real server, in
 * Arabic, Japanese, German and Hebrew. The language comes the way browsers and the web app send
 * it (`ui_locales` from the web app, else `Accept-Language`); each page has `<html lang dir>`
 * (right to left for Arabic and Hebrew), its words from that language's catalog and none of
 * English's: the password page and its refusal, the authenticator-code page and its refusal,
 * multi-factor set-up that conditional access asks for, and the page of a block by a policy;
 * the language a person saved winning once they gave their password; and the provider's own
 * pages (signing out, a protocol error) in Hebrew and Japanese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LanguageTag } from '@remote-help/protocol';
import type { TestServer } from '../test/harness.js';
import { Client, DEMO_PASSWORD, startTestServer } from '../test/harness.js';
import { en, type MessageKey } from './i18n/en.js';
import { IDENTICAL_TO_ENGLISH } from './i18n/identical.js';
import { languageOf } from './i18n/index.js';
import { totpAt } from './mfa/totp.js';
import { escapeHtml } from './provider.js';

const LANGUAGES = ['ar', 'ja', 'de', 'he'] as const satisfies readonly LanguageTag[];
const RTL = new Set<string>(['ar', 'he']);

let t: TestServer;
let admin: Client;
const run = Date.now();
const emailOf = (who: string, tag: string) => `lang-${who}-${tag.toLowerCase()}-${run}@contoso.example`;
/** Each language's person with an authenticator app, and its secret. */
const secrets = new Map<string, string>();

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/**
 * A browser in one language: `ui_locales` on the web app's sign-in link (as the web app sends its
 * current language), or only `Accept-Language` on every request (a first visit).
 */
class Browser {
  readonly client = new Client(t.url);
  constructor(
    readonly tag: LanguageTag,
    readonly how: 'ui_locales' | 'accept-language',
  ) {}

  private headers(): Record<string, string> {
    return this.how === 'accept-language' ? { 'accept-language': `${this.tag}-XX, ${this.tag};q=0.9, en;q=0.5` } : {};
  }

  /** The web app's sign-in link, redirects followed: the password page. */
  async open(): Promise<{ status: number; html: string }> {
    const hint = this.how === 'ui_locales' ? `&ui_locales=${encodeURIComponent(this.tag)}` : '';
    let r = await this.client.raw(`/auth/login?returnTo=/help${hint}`, { headers: this.headers() });
    for (let i = 0; i < 10 && r.status >= 300 && r.status < 400; i++)
      r = await this.client.raw(r.headers.get('location')!, { headers: this.headers() });
    return { status: r.status, html: await r.text() };
  }

  /** Posts the page's form with its hidden fields and `fields`. */
  async submit(html: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form in: ${html.slice(0, 300)}`);
    const hidden: Record<string, string> = {};
    for (const name of ['csrf', 'pending', 'step']) {
      const value = field(html, name);
      if (value !== undefined) hidden[name] = decode(value);
    }
    const r = await this.client.raw(decode(action), {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hidden, ...fields }),
    });
    return { status: r.status, html: r.status === 303 ? '' : await r.text() };
  }

  /** The password page, then the password of `email`: the next page. */
  async password(email: string, password = DEMO_PASSWORD): Promise<{ status: number; html: string }> {
    const first = await this.open();
    expect(first.status).toBe(200);
    return this.submit(first.html, { email, password });
  }
}

/** The page is in `tag`: its `<html lang dir>`, the given messages as the catalog writes them, no English message. */
function expectPageIn(tag: LanguageTag, html: string, keys: MessageKey[], values: Record<string, string> = {}) {
  const language = languageOf(tag);
  expect(html).toContain(`<html lang="${tag}" dir="${RTL.has(tag) ? 'rtl' : 'ltr'}">`);
  for (const key of keys) expect(html, `${tag} ${key}`).toContain(escapeHtml(language.t(key, values)));
  const identical = new Set<string>(IDENTICAL_TO_ENGLISH[tag] ?? []);
  const english = Object.entries(en).filter(
    ([key, value]) => typeof value === 'string' && value.length > 5 && !value.includes('{') && !identical.has(key),
  );
  for (const [key, value] of english) expect(html, `${tag}: English “${key}” left on the page`).not.toContain(value);
}

beforeAll(async () => {
  t = await startTestServer();
  admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
  const create = async (email: string) => {
    const r = await admin.post('/api/v1/users', { email, displayName: email.split('@')[0], password: DEMO_PASSWORD });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return (r.body.user as { id: string }).id;
  };
  const setupIds: string[] = [];
  const blockedIds: string[] = [];
  for (const tag of LANGUAGES) {
    // A person with an authenticator app: enrolled through the API, as the account page does.
    const email = emailOf('mfa', tag);
    await create(email);
    const person = new Client(t.url);
    await person.signIn(email);
    const started = await person.post('/api/v1/me/mfa/enrollment', {});
    const secret = started.body.secret as string;
    expect((await person.post('/api/v1/me/mfa/enrollment/confirm', { code: totpAt(secret, Date.now()) })).status).toBe(
      200,
    );
    secrets.set(tag, secret);
    setupIds.push(await create(emailOf('setup', tag)));
    blockedIds.push(await create(emailOf('blocked', tag)));
  }
  const policy = (name: string, userIds: string[], grant: unknown) => ({
    name,
    state: 'on',
    users: {
      include: { kind: 'selected', userIds, groupIds: [], roleIds: [] },
      exclude: { userIds: [], groupIds: [], roleIds: [] },
    },
    apps: ['helper'],
    conditions: { clientApps: null, platforms: null, locations: null, deviceStates: null },
    grant,
    session: { signInFrequencyHours: null },
  });
  await create(emailOf('setup', 'en'));
  // Someone who saved Hebrew in the web app's picker, with an authenticator app.
  await create(emailOf('remembered', 'he'));
  const remembered = new Client(t.url);
  await remembered.signIn(emailOf('remembered', 'he'));
  expect((await remembered.json('/api/v1/me/language', 'PUT', { language: 'he' })).status).toBe(204);
  const secret = (await remembered.post('/api/v1/me/mfa/enrollment', {})).body.secret as string;
  expect(
    (await remembered.post('/api/v1/me/mfa/enrollment/confirm', { code: totpAt(secret, Date.now()) })).status,
  ).toBe(200);
  secrets.set('remembered', secret);
  for (const input of [
    policy('MFA for the help desk', setupIds, { kind: 'grant', operator: 'all', controls: ['mfa'] }),
    policy('Kiosk <lockdown>', blockedIds, { kind: 'block' }),
  ]) {
    const r = await admin.post('/api/v1/conditional-access/policies', input);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}, 120_000);
afterAll(async () => t?.stop());

describe.each(LANGUAGES)('the sign-in pages in %s', (tag) => {
  const language = () => languageOf(tag);

  it('the password page, from the web app’s ui_locales and from Accept-Language alone, and its refusal', async () => {
    for (const how of ['ui_locales', 'accept-language'] as const) {
      const page = await new Browser(tag, how).open();
      expect(page.status).toBe(200);
      expectPageIn(
        tag,
        page.html,
        ['signIn.title', 'signIn.email', 'signIn.password', 'signIn.submit', 'signIn.foot'],
        {
          client: 'Remote Help',
        },
      );
      expect(page.html).toContain(`<title>${escapeHtml(language().t('signIn.title'))} – Remote Help</title>`);
    }
    const browser = new Browser(tag, 'accept-language');
    const refused = await browser.password(emailOf('nobody', tag), 'not the password');
    expect(refused.status).toBe(401);
    expectPageIn(tag, refused.html, ['signIn.wrongPassword']);
    expect(refused.html).toContain('role="alert"');
  });

  it('the authenticator-code page, and a wrong code refused in the same language', async () => {
    const browser = new Browser(tag, 'ui_locales');
    const code = await browser.password(emailOf('mfa', tag));
    expect(code.status).toBe(200);
    expectPageIn(tag, code.html, ['mfa.title', 'mfa.intro', 'mfa.code', 'mfa.recoveryHint', 'mfa.verify']);
    const right = totpAt(secrets.get(tag)!, Date.now());
    const wrong = await browser.submit(code.html, { code: right === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expectPageIn(tag, wrong.html, ['mfa.title', 'mfa.codeWrong']);
  });

  it('multi-factor set-up when a policy asks for it: the steps, the QR code’s text and the code field', async () => {
    const setup = await new Browser(tag, 'accept-language').password(emailOf('setup', tag));
    expect(setup.status).toBe(200);
    expectPageIn(tag, setup.html, [
      'gate.setupTitle',
      'gate.setupIntro',
      'gate.stepInstall',
      'gate.stepScan',
      'gate.stepCode',
      'gate.qrAlt',
      'gate.cantScan',
      'gate.codeLabel',
      'mfa.verify',
    ]);
    // The secret is Latin text in any language: kept left to right inside a right-to-left page.
    expect(setup.html).toMatch(/<p class="secret" dir="ltr" data-testid="mfa-secret">[A-Z2-7]+<\/p>/);
  });

  it('the page of a block names the policy, isolated and escaped, in the language’s quotation marks', async () => {
    const blocked = await new Browser(tag, 'ui_locales').password(emailOf('blocked', tag));
    expect(blocked.status).toBe(403);
    const names = language().list([language().t('gate.policyName', { name: '\u2068Kiosk <lockdown>\u2069' })]);
    expectPageIn(tag, blocked.html, ['gate.blockedTitle', 'gate.advice.block', 'common.backToRemoteHelp']);
    expect(blocked.html).toContain(escapeHtml(language().t('gate.blockedBy', { policies: names })));
    expect(blocked.html).not.toContain('<lockdown>');
  });
});

it('after the password, the language the person saved wins (a wrong password learns nothing of it)', async () => {
  // Saved in the web app's picker: Hebrew. The browser and the web app ask for Japanese.
  const email = emailOf('remembered', 'he');
  const browser = new Browser('ja', 'ui_locales');
  const wrong = await browser.password(email, 'not the password');
  expect(wrong.status).toBe(401);
  expectPageIn('ja', wrong.html, ['signIn.wrongPassword']);
  const code = await browser.password(email);
  expectPageIn('he', code.html, ['mfa.title', 'mfa.intro']);
  const right = totpAt(secrets.get('remembered')!, Date.now());
  const refused = await browser.submit(code.html, { code: right === '000000' ? '111111' : '000000' });
  expectPageIn('he', refused.html, ['mfa.codeWrong']);
});

describe.each(['he', 'ja'] as const)('the provider’s own pages in %s', (tag) => {
  const headers = { 'accept-language': tag };

  it('signing out: the question, then the page after it', async () => {
    // Someone signed in at the provider is asked first (without a session it signs out at once).
    const client = new Client(t.url);
    await client.signIn(emailOf('setup', 'en'));
    const question = await client.raw('/oidc/session/end', { headers });
    const html = await question.text();
    expect(question.status).toBe(200);
    expectPageIn(tag, html, ['signOut.title', 'signOut.question', 'signOut.yes', 'signOut.no']);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    expect(action && xsrf).toBeTruthy();
    let done = await client.raw(decode(action!), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
    });
    for (let i = 0; i < 5 && done.status >= 300 && done.status < 400; i++)
      done = await client.raw(done.headers.get('location')!, { headers });
    expect(done.status).toBe(200);
    expectPageIn(tag, await done.text(), ['signOut.doneTitle', 'signOut.done', 'common.backToRemoteHelp']);
  });

  it('an error of the protocol: the page around the provider’s own words', async () => {
    const r = await new Client(t.url).raw('/oidc/auth?client_id=nobody&response_type=code&scope=openid', { headers });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expectPageIn(tag, await r.text(), ['providerError.title', 'providerError.heading', 'common.backToRemoteHelp']);
  });
});

it('a language the product does not ship falls back to English, left to right', async () => {
  const r = await new Client(t.url).follow('/auth/login?returnTo=/help&ui_locales=xx');
  const html = await r.text();
  expect(html).toContain('<html lang="en" dir="ltr">');
  expect(html).toContain(escapeHtml(en['signIn.foot']));
});
