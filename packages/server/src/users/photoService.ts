/**
 * @module users/photoService
 * Setting and removing profile pictures: an administrator (`users.manage`) for anyone of
 * their organization, and every signed-in person for themselves. The upload is re-encoded
 * (`photoImage.ts`) before anything is written; a refused upload changes nothing. Every
 * change is audited with before → after as digests of the stored bytes, and bumps the
 * person's `updated_at` so the picture's URL changes and no cache serves the old one.
 *
 * Decoding a picture costs a worker thread and memory, so an uploader gets one upload at a
 * time (a second one meanwhile is `rate_limited`) and `PHOTO_UPLOADS_PER_PERSON` decodes (a
 * token bucket, in memory: per server process, like the decoding it protects; a picture refused
 * from its size or magic bytes costs none); how many are decoded at once in the process is
 * `photoImage`'s bound.
 */
import { createHash } from 'node:crypto';
import type { AuditLog } from '../audit/audit.js';
import { byPerson } from '../audit/audit.js';
import type { Db } from '../db/client.js';
import { TokenBuckets } from '../devices/launchLimits.js';
import { assertMayManagePerson } from '../rbac/delegation.js';
import { errors } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import { can } from '../identity/principal.js';
import type { Clock } from '../time.js';
import { iso } from '../time.js';
import { PHOTO_UPLOADS_PER_PERSON } from '../ratelimit/policies.js';
import { decodeBase64Photo, reencodePhoto } from './photoImage.js';

export interface UserPhotosDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** Uploads per uploader (default `PHOTO_UPLOADS_PER_PERSON`). */
  uploads?: TokenBuckets;
}

/** Seconds an uploader whose previous picture is still being decoded should wait. */
const BUSY_RETRY_SECONDS = 2;

/** Allowed types of stored pictures; anything else in the column is never served. */
export const SERVABLE_PHOTO_TYPES: Readonly<Record<string, string>> = {
  'image/webp': 'webp',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  // The demo accounts' portraits, drawn by the server itself (`tenants/avatars.ts`), never uploaded.
  'image/svg+xml': 'svg',
};

/** The URL of a person's current picture (`v` changes with every change of the person). */
export const photoUrlOf = (userId: string, updatedAt: string): string =>
  `/api/v1/users/${userId}/photo?v=${encodeURIComponent(updatedAt)}`;

export class UserPhotos {
  /** Uploaders (tenant:user) whose picture is being decoded or stored now. */
  private readonly uploading = new Set<string>();
  private readonly uploads: TokenBuckets;

  constructor(private readonly d: UserPhotosDeps) {
    this.uploads = d.uploads ?? new TokenBuckets(d.clock, PHOTO_UPLOADS_PER_PERSON);
  }

  private requireManager(principal: Principal, userId: string): void {
    if (userId !== principal.userId && !can(principal, 'users.manage')) {
      throw errors.forbidden('Your role does not allow you to manage users.');
    }
  }

  /** A digest of the person's current picture (null: none); `not_found` for no such person in the tenant. */
  private async currentDigest(tenantId: string, userId: string): Promise<string | null> {
    const row = await this.d.db
      .selectFrom('users')
      .select(['id', 'photo'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) throw errors.notFound('User');
    return row.photo ? createHash('sha256').update(row.photo).digest('hex').slice(0, 16) : null;
  }

  /** Re-encodes and stores `base64` as `userId`'s picture; returns its new URL. */
  async set(principal: Principal, userId: string, base64: string): Promise<{ photoUrl: string }> {
    this.requireManager(principal, userId);
    // Checked and taken in one synchronous step: two parallel uploads cannot both pass.
    const uploader = `${principal.tenantId}:${principal.userId}`;
    if (this.uploading.has(uploader)) throw errors.rateLimited(BUSY_RETRY_SECONDS);
    this.uploading.add(uploader);
    try {
      return await this.decodeAndStore(principal, userId, base64, uploader);
    } finally {
      this.uploading.delete(uploader);
    }
  }

  private async decodeAndStore(
    principal: Principal,
    userId: string,
    base64: string,
    uploader: string,
  ): Promise<{ photoUrl: string }> {
    const before = await this.currentDigest(principal.tenantId, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    // An upload costs the uploader a token when it is about to be decoded (not for a refusal before).
    const admit = () => {
      const wait = this.uploads.take(uploader);
      if (wait > 0) throw errors.rateLimited(wait);
    };
    // Decoding and re-encoding happen before any write: a refused picture changes nothing.
    const photo = await reencodePhoto(decodeBase64Photo(base64), admit);
    const now = iso(this.d.clock.now());
    await this.store(
      principal,
      userId,
      { photo: photo.data, photo_mime: photo.mime, updated_at: now },
      'user.photo_updated',
      {
        before: { photo: before },
        after: { photo: photo.digest, type: photo.mime, bytes: photo.data.length },
        uploaded: photo.source,
      },
    );
    return { photoUrl: photoUrlOf(userId, now) };
  }

  /** Writes `userId`'s picture columns and records `action` with `data` in the same transaction. */
  private async store(
    principal: Principal,
    userId: string,
    columns: { photo: Uint8Array | null; photo_mime: string | null; updated_at: string },
    action: 'user.photo_updated' | 'user.photo_removed',
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.d.audit.together(
      (db) =>
        db
          .updateTable('users')
          .set(columns)
          .where('tenant_id', '=', principal.tenantId)
          .where('id', '=', userId)
          .execute(),
      () =>
        byPerson(
          principal,
          action,
          { type: 'user', id: userId },
          {
            ...data,
            ...(userId === principal.userId ? { self: true } : {}),
          },
        ),
    );
  }

  /** Removes `userId`'s picture (nothing to remove is not an error). */
  async remove(principal: Principal, userId: string): Promise<void> {
    this.requireManager(principal, userId);
    const before = await this.currentDigest(principal.tenantId, userId);
    await assertMayManagePerson(this.d.db, principal, userId);
    if (before === null) return;
    await this.store(
      principal,
      userId,
      { photo: null, photo_mime: null, updated_at: iso(this.d.clock.now()) },
      'user.photo_removed',
      { before: { photo: before }, after: { photo: null } },
    );
  }
}
