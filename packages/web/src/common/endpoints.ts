/**
 * @module endpoints
 * Typed calls for every server endpoint the web app uses, through the contract's client core (`api`).
 */
import type {
  CreateSessionResponse,
  DeviceView,
  LanguageTag,
  Me,
  SessionMode,
  SessionView,
  SharerStatusRequest,
} from '@remote-help/protocol';
import { DEVICE_PAGE_MAX } from '@remote-help/protocol';
import { i18next } from '../i18n';
import { api, postOnUnload, requestNoContent } from './api';

const sessionPath = (id: string): string => `/api/v1/sessions/${encodeURIComponent(id)}`;

/** `GET /api/v1/me`: the signed-in person (throws `authentication_required` when signed out). */
export function getMe(): Promise<Me> {
  return api.getMe();
}

/** `PUT /api/v1/me/language`: remembers the signed-in person's language (null: follow the browser). */
export function setMyLanguage(language: LanguageTag | null): Promise<void> {
  return api.setMyLanguage({ body: { language } });
}

/** `POST /auth/logout` → 204. */
export function logout(): Promise<void> {
  return requestNoContent('POST', '/auth/logout');
}

/**
 * The URL that starts sign-in and comes back to `returnTo` (a same-origin path); the sign-in
 * pages speak the app's current language (sent on as OIDC `ui_locales`).
 */
export function loginUrl(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}&ui_locales=${encodeURIComponent(i18next.language)}`;
}

/** Helper: `POST /api/v1/sessions` → the new session and its one-time security code. */
export function createSession(): Promise<CreateSessionResponse> {
  return api.createSession({ body: {} });
}

/** Helper: `GET /api/v1/sessions` → my sessions that have not ended, newest first. */
export async function listLiveSessions(): Promise<SessionView[]> {
  return (await api.listSessions()).sessions;
}

/** Sharer: `POST /api/v1/sessions/redeem` with the 8-digit code. */
export async function redeemCode(code: string): Promise<SessionView> {
  return (await api.redeemCode({ body: { code, client: 'web' } })).session;
}

/** `GET /api/v1/sessions/:id`. */
export async function getSession(id: string): Promise<SessionView> {
  return (await api.getSession({ params: { id } })).session;
}

/** Helper: ask the sharer for a mode. */
export async function requestMode(id: string, mode: SessionMode): Promise<SessionView> {
  return (await api.requestMode({ params: { id }, body: { mode } })).session;
}

/** Sharer: allow or decline the pending request. */
export async function respond(id: string, allow: boolean): Promise<SessionView> {
  return (await api.respond({ params: { id }, body: { allow } })).session;
}

/** Sharer: say what the device does with the picture (`sharing`, `choosing`, `paused`, `unavailable`). */
export async function setSharerStatus(id: string, status: SharerStatusRequest['status']): Promise<SessionView> {
  return (await api.setSharerStatus({ params: { id }, body: { status } })).session;
}

/** Sharer, while the page goes away (a reload, or the tab closes): the helper reads at once that it is choosing again. */
export function sharerChoosingOnUnload(id: string): void {
  postOnUnload(`${sessionPath(id)}/sharer-status`, { status: 'choosing' });
}

/** Either side: leave (ends the session). */
export async function leaveSession(id: string): Promise<SessionView> {
  return (await api.leaveSession({ params: { id }, body: {} })).session;
}

/**
 * Helper: the enrolled devices they may help (their scope), by name, with whether each is online
 * now: the first `DEVICE_PAGE_MAX` (the admin center's All devices searches and pages them all).
 */
export async function listDevices(): Promise<DeviceView[]> {
  return (await api.listDevices({ query: { limit: DEVICE_PAGE_MAX } })).devices;
}

/** Helper: remote launch — ask the device's user to open Remote Help; no code needed. */
export async function launchOnDevice(deviceId: string): Promise<SessionView> {
  return (await api.launchOnDevice({ params: { id: deviceId }, body: {} })).session;
}
