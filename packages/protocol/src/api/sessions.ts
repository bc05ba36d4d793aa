/**
 * @module api/sessions
 * The REST commands of a Remote Help session. Who is helper and who is sharer is decided
 * with the session (`participant`); the permission to offer help is the role's.
 */
import {
  CreateSessionResponse,
  RedeemCodeRequest,
  RequestModeRequest,
  RespondRequest,
  SessionListResponse,
  SessionResponse,
  SharerStatusRequest,
} from '../sessions.js';
import { EmptyBody, IdParams, endpoint } from './contract.js';

const tag = 'Sessions';

export const createSession = endpoint({
  name: 'createSession',
  method: 'POST',
  path: '/api/v1/sessions',
  summary: 'Offer help: a new session and its one-time 8-digit security code',
  description:
    'The code is shown once, to the helper only, and lives for the tenant’s code lifetime. A helper has at most 20 codes waiting at once (`too_many_codes`, with `data.max`): cancel one or let it expire.',
  tag,
  body: EmptyBody,
  status: 201,
  response: CreateSessionResponse,
  caller: 'user',
  permission: {
    all: ['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen'],
    denied: 'Your role does not allow you to offer remote assistance.',
  },
  command: true,
});

export const listSessions = endpoint({
  name: 'listSessions',
  method: 'GET',
  path: '/api/v1/sessions',
  summary: 'The caller’s sessions as a helper that have not ended, newest first',
  description: 'A new tab (or one reopened) can resume or cancel them.',
  tag,
  status: 200,
  response: SessionListResponse,
  caller: 'user',
  command: false,
});

export const redeemCode = endpoint({
  name: 'redeemCode',
  method: 'POST',
  path: '/api/v1/sessions/redeem',
  summary: 'Join as the sharer with a security code',
  description:
    'Spaces and dashes in the code are ignored. `client: "agent"` (full control) is accepted only from the native agent’s bearer token.',
  tag,
  body: RedeemCodeRequest,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  command: true,
});

export const getSession = endpoint({
  name: 'getSession',
  method: 'GET',
  path: '/api/v1/sessions/:id',
  summary: 'A session as one of its participants sees it',
  tag,
  params: IdParams,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'either',
  command: false,
});

export const requestMode = endpoint({
  name: 'requestMode',
  method: 'POST',
  path: '/api/v1/sessions/:id/request',
  summary: 'The helper asks the sharer for view or full control',
  description:
    'Needs `remoteHelp.viewScreen` (and `remoteHelp.takeFullControl` for control), checked with the session; full control needs the native agent.',
  tag,
  params: IdParams,
  body: RequestModeRequest,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'helper',
  command: true,
});

export const respond = endpoint({
  name: 'respond',
  method: 'POST',
  path: '/api/v1/sessions/:id/respond',
  summary: 'The sharer allows or declines the pending request',
  tag,
  params: IdParams,
  body: RespondRequest,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'sharer',
  command: true,
});

export const dropControl = endpoint({
  name: 'dropControl',
  method: 'POST',
  path: '/api/v1/sessions/:id/drop-control',
  summary: 'The sharer takes control back; the session continues in view',
  tag,
  params: IdParams,
  body: EmptyBody,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'sharer',
  command: true,
});

export const setSharerStatus = endpoint({
  name: 'setSharerStatus',
  method: 'POST',
  path: '/api/v1/sessions/:id/sharer-status',
  summary: 'The sharer says what its device does with the picture',
  description: '`sharing`, `choosing` (after a reload), `paused` or `unavailable`; only while the session is active.',
  tag,
  params: IdParams,
  body: SharerStatusRequest,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'sharer',
  command: true,
});

export const leaveSession = endpoint({
  name: 'leaveSession',
  method: 'POST',
  path: '/api/v1/sessions/:id/leave',
  summary: 'Either side leaves; the session ends for both',
  tag,
  params: IdParams,
  body: EmptyBody,
  status: 200,
  response: SessionResponse,
  caller: 'user',
  participant: 'either',
  command: true,
});
