/**
 * @module api/users
 * The signed-in person and profile pictures (upload rules: `photos.ts`). An administrator
 * (`users.manage`) sets or removes anyone's picture; every signed-in person may set or remove
 * their own (as in Entra ID by default).
 */
import { z } from 'zod';
import { PreferredLanguage } from '../languages.js';
import { Me } from '../people.js';
import { PHOTO_BODY_LIMIT, PHOTO_MAX_PIXELS, PHOTO_SIDE, PhotoResponse, PhotoUploadRequest } from '../photos.js';
import { endpoint, IdParams } from './contract.js';

const tag = 'People';

export const getMe = endpoint({
  name: 'getMe',
  method: 'GET',
  path: '/api/v1/me',
  summary: 'The signed-in person, their organization, their permissions and the CSRF token',
  description: 'Send `csrfToken` back as the `x-csrf-token` header on every command made with the session cookie.',
  tag,
  status: 200,
  response: Me,
  caller: 'user',
  command: false,
});

/** `PUT /api/v1/me/language`: the language picker's choice; `null` follows the browser again. */
export const SetLanguageRequest = z.strictObject({ language: PreferredLanguage });
export type SetLanguageRequest = z.infer<typeof SetLanguageRequest>;

export const setMyLanguage = endpoint({
  name: 'setMyLanguage',
  method: 'PUT',
  path: '/api/v1/me/language',
  summary: 'Remembers the signed-in person’s language (one of the shipped languages), or forgets it',
  description:
    'Any signed-in person may set their own language. `language` is one of the shipped BCP 47 tags (`SHIPPED_LANGUAGES`), or `null` to follow the browser’s languages again. Audited as `user.language_changed` when it changes.',
  tag,
  body: SetLanguageRequest,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});

export const getUserPhoto = endpoint({
  name: 'getUserPhoto',
  method: 'GET',
  path: '/api/v1/users/:id/photo',
  summary: 'A profile picture of someone in the caller’s organization',
  tag,
  params: z.object({ id: z.string().min(1).max(64) }),
  status: 200,
  response: {
    contentType: 'image/*',
    description:
      'The picture with its exact type (`image/webp` for uploads; the demo accounts’ drawn portraits are `image/svg+xml`), ' +
      "`X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src 'none'` and `Content-Disposition: inline`; never HTML.",
  },
  caller: 'user',
  command: false,
});

const MANAGE_USERS = { all: ['users.manage'], denied: 'Your role does not allow you to manage users.' } as const;

export const setUserPhoto = endpoint({
  name: 'setUserPhoto',
  method: 'PUT',
  path: '/api/v1/users/:id/photo',
  summary: 'Sets a person’s profile picture (re-encoded by the server)',
  description: `PNG, JPEG or WebP, at most 5 MB and ${PHOTO_MAX_PIXELS / 1_000_000} megapixels; stored as a ${PHOTO_SIDE}×${PHOTO_SIDE} WebP.`,
  tag,
  params: IdParams,
  body: PhotoUploadRequest,
  bodyLimit: PHOTO_BODY_LIMIT,
  status: 200,
  response: PhotoResponse,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const deleteUserPhoto = endpoint({
  name: 'deleteUserPhoto',
  method: 'DELETE',
  path: '/api/v1/users/:id/photo',
  summary: 'Removes a person’s profile picture',
  tag,
  params: IdParams,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_USERS,
  command: true,
});

export const setMyPhoto = endpoint({
  name: 'setMyPhoto',
  method: 'PUT',
  path: '/api/v1/me/photo',
  summary: 'Sets the signed-in person’s own profile picture (re-encoded by the server)',
  description: `Anyone signed in may set their own picture. PNG, JPEG or WebP, at most 5 MB and ${PHOTO_MAX_PIXELS / 1_000_000} megapixels; stored as a ${PHOTO_SIDE}×${PHOTO_SIDE} WebP.`,
  tag,
  body: PhotoUploadRequest,
  bodyLimit: PHOTO_BODY_LIMIT,
  status: 200,
  response: PhotoResponse,
  caller: 'user',
  command: true,
});

export const deleteMyPhoto = endpoint({
  name: 'deleteMyPhoto',
  method: 'DELETE',
  path: '/api/v1/me/photo',
  summary: 'Removes the signed-in person’s own profile picture',
  tag,
  status: 204,
  response: null,
  caller: 'user',
  command: true,
});
