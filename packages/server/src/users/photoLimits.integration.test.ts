/**
 * What picture uploads may cost the server, against a real server: one upload at a time per
 * person, `PHOTO_UPLOADS_PER_PERSON` decodes per person (a token bucket), and at most
 * `PHOTO_DECODES_AT_ONCE` decodes in the process, the others waiting their turn. The decode
 * slots are held by the test itself (as long decodes would hold them), so "at the same time"
 * does not depend on how fast this machine decodes; the clock is simulated and stands still
 * unless a test moves it. Assertions are on statuses and counters, never on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHOTO_DECODES_AT_ONCE, PHOTO_UPLOADS_PER_PERSON } from '../ratelimit/policies.js';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';
import { testPicture } from '../test/pictures.js';
import { PHOTO_DECODES } from './photoImage.js';

const clock = { t: Date.UTC(2027, 5, 1, 9, 0, 0), now: () => clock.t };
let t: TestServer;
let image: string;
beforeAll(async () => {
  t = await startTestServer({}, { clock });
  image = (await testPicture('png', 64, 64)).toString('base64');
});
afterAll(async () => t?.stop());

const signedIn = async (email: string) => {
  const client = new Client(t.url);
  await client.signIn(email);
  return client;
};

/** Waits (without a clock) until `n` uploads wait for a decode slot. */
async function untilWaiting(n: number): Promise<void> {
  for (let i = 0; PHOTO_DECODES.waiting < n; i++) {
    if (i > 2000) throw new Error(`${PHOTO_DECODES.waiting} of ${n} uploads waiting`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Takes every decode slot; the returned function gives them back. */
async function holdDecodeSlots(): Promise<() => void> {
  const held = await Promise.all(Array.from({ length: PHOTO_DECODES_AT_ONCE }, () => PHOTO_DECODES.acquire()));
  return () => held.forEach((release) => release!());
}

describe('picture uploads', () => {
  it('one at a time per person: a second upload while the first is under way is rate_limited; others wait their turn', async () => {
    const helper = await signedIn('helper@contoso.example');
    const sharer = await signedIn('sharer@contoso.example');
    const release = await holdDecodeSlots();
    let first: Promise<{ status: number }>;
    let other: Promise<{ status: number }>;
    try {
      first = helper.json('/api/v1/me/photo', 'PUT', { image });
      await untilWaiting(1);
      // The same person again, for themselves or (were they allowed) anyone: refused at once.
      const second = await helper.json('/api/v1/me/photo', 'PUT', { image });
      expect(second.status).toBe(429);
      expect(second.body).toMatchObject({ error: 'rate_limited', data: { retryAfterSeconds: 2 } });
      // Someone else is not refused: their upload waits for a slot.
      other = sharer.json('/api/v1/me/photo', 'PUT', { image });
      await untilWaiting(2);
      expect(PHOTO_DECODES.active).toBe(PHOTO_DECODES_AT_ONCE);
    } finally {
      release();
    }
    expect((await first).status).toBe(200);
    expect((await other).status).toBe(200);
    // Once the first is done, the person may upload again.
    expect((await helper.json('/api/v1/me/photo', 'PUT', { image })).status).toBe(200);
    expect([PHOTO_DECODES.active, PHOTO_DECODES.waiting]).toEqual([0, 0]);
  });

  it(`${PHOTO_UPLOADS_PER_PERSON.burst} decodes per person, then one every ${PHOTO_UPLOADS_PER_PERSON.refillMs / 1000} s`, async () => {
    const admin = await signedIn('admin@contoso.example');
    // Refused from the bytes alone (not a picture): costs nothing.
    for (let i = 0; i < 3; i++) {
      const html = Buffer.from('<html></html>').toString('base64');
      expect((await admin.json('/api/v1/me/photo', 'PUT', { image: html })).body.error).toBe('image_invalid');
    }
    for (let i = 0; i < PHOTO_UPLOADS_PER_PERSON.burst; i++) {
      expect((await admin.json('/api/v1/me/photo', 'PUT', { image })).status).toBe(200);
    }
    const refused = await admin.json('/api/v1/me/photo', 'PUT', { image });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: 'rate_limited',
      data: { retryAfterSeconds: PHOTO_UPLOADS_PER_PERSON.refillMs / 1000 },
    });
    // Setting someone else's picture draws on the same budget: the uploader's.
    const sharerId = (
      await t.server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'sharer@contoso.example')
        .executeTakeFirstOrThrow()
    ).id;
    expect((await admin.json(`/api/v1/users/${sharerId}/photo`, 'PUT', { image })).status).toBe(429);
    // Another person's budget is their own.
    const helper = await signedIn('helper@contoso.example');
    expect((await helper.json('/api/v1/me/photo', 'PUT', { image })).status).toBe(200);
    // One refill later, one more.
    clock.t += PHOTO_UPLOADS_PER_PERSON.refillMs;
    expect((await admin.json('/api/v1/me/photo', 'PUT', { image })).status).toBe(200);
    expect((await admin.json('/api/v1/me/photo', 'PUT', { image })).status).toBe(429);
  });
});
