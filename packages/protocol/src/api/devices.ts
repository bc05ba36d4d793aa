/**
 * @module api/devices
 * Enrollment tokens (administrators), enrollment and check-in (devices, signed), the device
 * list and remote launch (helpers), and the agent's answer to a launch (the device's user).
 */
import { z } from 'zod';
import {
  AcceptLaunchRequest,
  CheckInRequest,
  CreateEnrollmentTokenRequest,
  DeviceView,
  EnrollRequest,
  EnrollResponse,
  EnrollmentTokenList,
  EnrollmentTokenResponse,
  EnrollmentTokenView,
  LaunchRequest,
  LaunchResponse,
  ListDevicesQuery,
  ListEnrollmentTokensQuery,
} from '../devices.js';
import { SessionResponse } from '../sessions.js';
import type { PermissionRule } from './contract.js';
import { EmptyBody, IdParams, OkResponse, endpoint } from './contract.js';

const tag = 'Devices';

/** `GET /api/v1/devices` → a page of devices and how many match in all. */
export const DeviceListResponse = z.object({ devices: z.array(DeviceView), total: z.number().int() });
export type DeviceListResponse = z.infer<typeof DeviceListResponse>;

/**
 * Administrators (`devices.read`, `devices.manage`) see every device of the organization;
 * a helper (`remoteTasks.offerRemoteAssistance`) only those in the scope of their role
 * assignments (scope groups minus exclusions, ADR 0009).
 */
const SEE_DEVICES: PermissionRule = {
  any: ['devices.read', 'devices.manage', 'remoteTasks.offerRemoteAssistance'],
  denied: 'Your role does not allow you to see devices.',
};

const MANAGE_ENROLLMENT: PermissionRule = {
  all: ['devices.manage'],
  denied: 'Your role does not allow you to enroll devices.',
};

export const createEnrollmentToken = endpoint({
  name: 'createEnrollmentToken',
  method: 'POST',
  path: '/api/v1/enrollment-tokens',
  summary: 'A new enrollment token (shown once)',
  description: 'Stored as SHA-256; a device enrolls with it until it expires or is used up.',
  tag,
  body: CreateEnrollmentTokenRequest,
  bodyOptional: true,
  status: 201,
  response: EnrollmentTokenResponse,
  caller: 'user',
  permission: MANAGE_ENROLLMENT,
  command: true,
});

export const listEnrollmentTokens = endpoint({
  name: 'listEnrollmentTokens',
  method: 'GET',
  path: '/api/v1/enrollment-tokens',
  summary: 'The organization’s enrollment tokens, newest first (never the tokens themselves)',
  tag,
  query: ListEnrollmentTokensQuery,
  status: 200,
  response: EnrollmentTokenList,
  caller: 'user',
  permission: MANAGE_ENROLLMENT,
  command: false,
});

export const revokeEnrollmentToken = endpoint({
  name: 'revokeEnrollmentToken',
  method: 'POST',
  path: '/api/v1/enrollment-tokens/:id/revoke',
  summary: 'Revokes an enrollment token: no device can enroll with it any more (audited)',
  description:
    'Devices that already enrolled with it stay enrolled. Revoking a revoked token changes nothing and answers it as it is.',
  tag,
  params: IdParams,
  body: EmptyBody,
  status: 200,
  response: EnrollmentTokenView,
  caller: 'user',
  permission: MANAGE_ENROLLMENT,
  command: true,
});

export const enrollDevice = endpoint({
  name: 'enrollDevice',
  method: 'POST',
  path: '/api/v1/devices/enroll',
  summary: 'A device enrolls with an enrollment token, its Ed25519 public key and its inventory',
  description:
    'An unknown token is `enrollment_token_invalid`; a known one that can no longer be used is `enrollment_token_expired`, `enrollment_token_used_up` or `enrollment_token_revoked`.',
  tag,
  body: EnrollRequest,
  status: 201,
  response: EnrollResponse,
  caller: 'enrollmentToken',
  command: true,
});

export const checkIn = endpoint({
  name: 'checkIn',
  method: 'POST',
  path: '/api/v1/devices/checkin',
  summary: 'An enrolled device reports its inventory',
  tag,
  body: CheckInRequest,
  status: 200,
  response: DeviceView,
  caller: 'device',
  command: true,
});

export const listDevices = endpoint({
  name: 'listDevices',
  method: 'GET',
  path: '/api/v1/devices',
  summary:
    'The enrolled devices the caller may see, with whether each is online now: searched, filtered, sorted, paged',
  description:
    'Administrators (`devices.read`, `devices.manage`) see the whole organization; a helper only the devices in the scope of their role assignments. `total` counts every match.',
  tag,
  query: ListDevicesQuery,
  status: 200,
  response: DeviceListResponse,
  caller: 'user',
  permission: SEE_DEVICES,
  command: false,
});

export const getDevice = endpoint({
  name: 'getDevice',
  method: 'GET',
  path: '/api/v1/devices/:id',
  summary: 'One enrolled device',
  description: 'A helper without `devices.read` gets `out_of_scope` for a device outside their scope.',
  tag,
  params: IdParams,
  status: 200,
  response: DeviceView,
  caller: 'user',
  permission: SEE_DEVICES,
  command: false,
});

export const revokeDevice = endpoint({
  name: 'revokeDevice',
  method: 'POST',
  path: '/api/v1/devices/:id/revoke',
  summary: 'Revokes a device’s enrollment: a lost or retired computer stops belonging to the organization (audited)',
  description:
    'From then on the device cannot check in, hold its launch connection or prove itself (`device_revoked`); its open launch connection closes at once on every node, its sessions that have not ended end (`terminated_by_admin`), and it counts as unenrolled for conditional access and compliance. Its record and session history stay. It can be enrolled again with a new token, as a new device. Revoking a revoked device changes nothing and answers it as it is.',
  tag,
  params: IdParams,
  body: EmptyBody,
  status: 200,
  response: DeviceView,
  caller: 'user',
  permission: { all: ['devices.manage'], denied: 'Your role does not allow you to revoke devices.' },
  command: true,
});

export const launchOnDevice = endpoint({
  name: 'launchOnDevice',
  method: 'POST',
  path: '/api/v1/devices/:id/sessions',
  summary: 'Remote launch: a session without a code, offered to the device’s user',
  description:
    'Only for a device in the helper’s scope (`out_of_scope`, checked first, so it says nothing about the device being online), that holds its launch connection now (`device_offline`), within the helper’s launch rate (`rate_limited`), and while no other launch waits on it (`launch_pending`). With `sessionId`, the helper’s own waiting code session is offered to the device instead of a new one.',
  tag,
  params: IdParams,
  body: LaunchRequest,
  status: 201,
  response: LaunchResponse,
  caller: 'user',
  permission: {
    all: ['remoteTasks.offerRemoteAssistance', 'remoteHelp.viewScreen'],
    denied: 'Your role does not allow you to offer remote assistance.',
  },
  command: true,
});

export const acceptLaunch = endpoint({
  name: 'acceptLaunch',
  method: 'POST',
  path: '/api/v1/sessions/:id/accept-launch',
  summary: 'The device’s signed-in user accepts a launch and joins as the sharer',
  tag,
  params: IdParams,
  body: AcceptLaunchRequest,
  status: 200,
  response: SessionResponse,
  caller: 'agentAndDevice',
  callerDenied: 'Only the Remote Help app can answer a launch.',
  command: true,
});

export const dismissLaunch = endpoint({
  name: 'dismissLaunch',
  method: 'POST',
  path: '/api/v1/sessions/:id/dismiss-launch',
  summary: 'The device’s signed-in user dismisses a launch',
  tag,
  params: IdParams,
  body: AcceptLaunchRequest,
  status: 200,
  response: OkResponse,
  caller: 'agentAndDevice',
  callerDenied: 'Only the Remote Help app can answer a launch.',
  command: true,
});
