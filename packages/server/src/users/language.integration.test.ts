/**
 * Integration: the language picker's choice, remembered per person on the real server
 * (`PUT /api/v1/me/language`, `GET /api/v1/me`): saved and read back in a new sign-in,
 * forgotten with null, audited as `user.language_changed` once per change, only shipped
 * languages accepted (anything else refused with `validation_failed` and nothing changed),
 * a person's choice invisible to others, and the CSRF token required.
 */
import { SHIPPED_LANGUAGES } from '@remote-help/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

let t: TestServer;

const signedIn = async (email: string) => {
  const c = new Client(t.url);
  await c.signIn(email);
  return c;
};
const me = async (c: Client) => (await c.json('/api/v1/me')).body as { language: unknown; user: { id: string } };
const put = (c: Client, body: unknown) => c.json('/api/v1/me/language', 'PUT', body);

beforeAll(async () => {
  t = await startTestServer();
}, 60_000);
afterAll(async () => t?.stop());

describe('the remembered language', () => {
  it('is saved, read back in a new sign-in, forgotten with null, and audited once per change', async () => {
    const helper = await signedIn('helper@contoso.example');
    const { user, language } = await me(helper);
    expect(language).toBeNull();
    const tenantId = ((await helper.json('/api/v1/me')).body.tenant as { id: string }).id;

    expect((await put(helper, { language: 'ar' })).status).toBe(204);
    expect((await me(helper)).language).toBe('ar');
    expect((await me(await signedIn('helper@contoso.example'))).language).toBe('ar');
    expect((await put(helper, { language: 'ar' })).status).toBe(204); // unchanged: nothing recorded
    expect((await put(helper, { language: 'pt-BR' })).status).toBe(204);
    expect((await put(helper, { language: null })).status).toBe(204);
    expect((await me(helper)).language).toBeNull();

    const records = (await t.server.audit.list(tenantId, 1000)).filter(
      (e) => e.action === 'user.language_changed' && e.target_id === user.id,
    );
    expect(records.map((e) => JSON.parse(e.data ?? '{}') as unknown).reverse()).toEqual([
      { before: { language: null }, after: { language: 'ar' }, self: true },
      { before: { language: 'ar' }, after: { language: 'pt-BR' }, self: true },
      { before: { language: 'pt-BR' }, after: { language: null }, self: true },
    ]);
  });

  it('accepts every shipped language and refuses anything else with nothing changed', async () => {
    const sharer = await signedIn('sharer@contoso.example');
    for (const language of SHIPPED_LANGUAGES) {
      expect((await put(sharer, { language })).status, language).toBe(204);
      expect((await me(sharer)).language).toBe(language);
    }
    await put(sharer, { language: 'de' });
    for (const body of [
      { language: 'xx' },
      { language: 'DE' },
      { language: 'pt' },
      { language: 'de<script>' },
      { language: 7 },
      {},
      { language: 'de', extra: true },
    ]) {
      const r = await put(sharer, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('validation_failed');
    }
    expect((await me(sharer)).language).toBe('de');
  });

  it('is each person’s own, and needs a signed-in person with the CSRF token', async () => {
    const helper = await signedIn('helper@fabrikam.example');
    await put(helper, { language: 'ja' });
    expect((await me(await signedIn('sharer@fabrikam.example'))).language).toBeNull();

    const anonymous = new Client(t.url);
    expect((await put(anonymous, { language: 'de' })).status).toBe(401);
    const noCsrf = await signedIn('helper@fabrikam.example');
    noCsrf.csrf = '';
    expect((await put(noCsrf, { language: 'de' })).status).toBe(403);
    expect((await me(helper)).language).toBe('ja');
  });
});
