/**
 * @module endpoints
 * Typed calls for every server endpoint the web app uses.
 */
import { CreateSessionResponse, DeviceView, Me, SessionResponse } from '@remote-help/protocol';
import { z } from 'zod';
import type { SessionMode, SessionView } from '@remote-help/protocol';
import { request, requestNoContent } from './api';

const sessionPath = (id: string): string => `/api/v1/sessions/${encodeURIComponent(id)}`;

/** `GET /api/v1/me`: the signed-in person (throws `authentication_required` when signed out). */
export function getMe(): Promise<Me> {
  return request('GET', '/api/v1/me', Me);
}

/** `POST /auth/logout` → 204. */
export function logout(): Promise<void> {
  return requestNoContent('POST', '/auth/logout');
}

/** The URL that starts sign-in and comes back to `returnTo` (a same-origin path). */
export function loginUrl(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}

/** Helper: `POST /api/v1/sessions` → the new session and its one-time security code. */
export function createSession(): Promise<CreateSessionResponse> {
  return request('POST', '/api/v1/sessions', CreateSessionResponse, {});
}

/** Sharer: `POST /api/v1/sessions/redeem` with the 8-digit code. */
export async function redeemCode(code: string): Promise<SessionView> {
  return (await request('POST', '/api/v1/sessions/redeem', SessionResponse, { code, client: 'web' })).session;
}

/** `GET /api/v1/sessions/:id`. */
export async function getSession(id: string): Promise<SessionView> {
  return (await request('GET', sessionPath(id), SessionResponse)).session;
}

/** Helper: ask the sharer for a mode. */
export async function requestMode(id: string, mode: SessionMode): Promise<SessionView> {
  return (await request('POST', `${sessionPath(id)}/request`, SessionResponse, { mode })).session;
}

/** Sharer: allow or decline the pending request. */
export async function respond(id: string, allow: boolean): Promise<SessionView> {
  return (await request('POST', `${sessionPath(id)}/respond`, SessionResponse, { allow })).session;
}

/** Either side: leave (ends the session). */
export async function leaveSession(id: string): Promise<SessionView> {
  return (await request('POST', `${sessionPath(id)}/leave`, SessionResponse, {})).session;
}

const DeviceList = z.object({ devices: z.array(DeviceView) });

/** Helper: the enrolled devices of the organization, with whether each is online now. */
export async function listDevices(): Promise<DeviceView[]> {
  return (await request('GET', '/api/v1/devices', DeviceList)).devices;
}

/** Helper: remote launch — ask the device's user to open Remote Help; no code needed. */
export async function launchOnDevice(deviceId: string): Promise<SessionView> {
  return (await request('POST', `/api/v1/devices/${encodeURIComponent(deviceId)}/sessions`, SessionResponse, {}))
    .session;
}
