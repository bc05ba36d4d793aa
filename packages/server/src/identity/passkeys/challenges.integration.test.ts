/**
 * WebAuthn challenges on the real database (SQLite, and PostgreSQL in its run): a sign-in page
 * shown many times at once keeps exactly one live challenge per purpose, the last one handed out
 * is the one that counts, and challenges that belong to no page (registration) are not touched.
 */
import { expect, it } from 'vitest';
import { useTestDatabase } from '../../test/useTestDatabase.js';
import { WebauthnChallenges } from './challenges.js';

const database = useTestDatabase('rh-challenges-');

const rowsFor = async (uid: string | null) =>
  (
    await database()
      .selectFrom('webauthn_challenges')
      .select(['challenge', 'purpose'])
      .where('interaction_uid', uid === null ? 'is' : '=', uid)
      .execute()
  ).length;

it('a sign-in page shown 30 times at once keeps one live challenge per purpose', async () => {
  const db = database();
  const challenges = new WebauthnChallenges(db, { now: () => Date.now() });
  const issued = await Promise.all(
    Array.from({ length: 30 }, () => challenges.issue('passwordless', { uid: 'page-1' })),
  );
  await challenges.issue('second_factor', { uid: 'page-1', tenantId: 't', userId: 'u' });
  const registrations = await Promise.all(
    Array.from({ length: 3 }, () => challenges.issue('register', { tenantId: 't', userId: 'u' })),
  );
  expect(await rowsFor('page-1')).toBe(2);
  expect(await rowsFor(null)).toBe(3);
  // The one left is one of those handed out, and it counts once; the replaced ones do not.
  const live = await db
    .selectFrom('webauthn_challenges')
    .select('challenge')
    .where('interaction_uid', '=', 'page-1')
    .where('purpose', '=', 'passwordless')
    .executeTakeFirstOrThrow();
  expect(issued).toContain(live.challenge);
  for (const c of issued.filter((c) => c !== live.challenge))
    expect(await challenges.consume(c, 'passwordless', { uid: 'page-1' })).toBe(false);
  expect(await challenges.consume(live.challenge, 'passwordless', { uid: 'page-1' })).toBe(true);
  expect(await challenges.consume(live.challenge, 'passwordless', { uid: 'page-1' })).toBe(false);
  for (const c of registrations)
    expect(await challenges.consume(c, 'register', { tenantId: 't', userId: 'u' })).toBe(true);
});
