/**
 * @module api/conditionalAccess
 * Tenant administration > Conditional access: policies and named locations
 * (`settings.manage`), What if (`settings.manage`), and the sign-in log (`reports.read`).
 * Every list is the caller's organization's only; every change is audited (before → after).
 */
import {
  CaPolicyInput,
  CaPolicyList,
  CaPolicyResponse,
  NamedLocationInput,
  NamedLocationList,
  NamedLocationResponse,
  SignInLogList,
  SignInLogQuery,
  WhatIfRequest,
  WhatIfResponse,
} from '../conditionalAccess.js';
import type { PermissionRule } from './contract.js';
import { EmptyBody, IdParams, endpoint } from './contract.js';

const MANAGE: PermissionRule = {
  all: ['settings.manage'],
  denied: 'Your role does not allow you to manage conditional access.',
};
const READ_LOG: PermissionRule = {
  all: ['reports.read'],
  denied: 'Your role does not allow you to see the sign-in log.',
};
const TAG = 'Conditional access';

export const listCaPolicies = endpoint({
  name: 'listCaPolicies',
  method: 'GET',
  path: '/api/v1/conditional-access/policies',
  summary: 'The organization’s conditional access policies',
  tag: TAG,
  status: 200,
  response: CaPolicyList,
  caller: 'user',
  permission: MANAGE,
  command: false,
});

export const createCaPolicy = endpoint({
  name: 'createCaPolicy',
  method: 'POST',
  path: '/api/v1/conditional-access/policies',
  summary: 'Creates a conditional access policy (audited)',
  description:
    'Users, groups, roles and named locations named by the policy must exist in the organization (`validation_failed` otherwise). A policy that is On applies to the next sign-in and session action.',
  tag: TAG,
  body: CaPolicyInput,
  status: 201,
  response: CaPolicyResponse,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const updateCaPolicy = endpoint({
  name: 'updateCaPolicy',
  method: 'PUT',
  path: '/api/v1/conditional-access/policies/:id',
  summary: 'Replaces a conditional access policy (audited, before → after)',
  tag: TAG,
  params: IdParams,
  body: CaPolicyInput,
  status: 200,
  response: CaPolicyResponse,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const deleteCaPolicy = endpoint({
  name: 'deleteCaPolicy',
  method: 'DELETE',
  path: '/api/v1/conditional-access/policies/:id',
  summary: 'Deletes a conditional access policy (audited)',
  tag: TAG,
  params: IdParams,
  body: EmptyBody,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const listNamedLocations = endpoint({
  name: 'listNamedLocations',
  method: 'GET',
  path: '/api/v1/conditional-access/named-locations',
  summary: 'The organization’s named locations (IP ranges)',
  tag: TAG,
  status: 200,
  response: NamedLocationList,
  caller: 'user',
  permission: MANAGE,
  command: false,
});

export const createNamedLocation = endpoint({
  name: 'createNamedLocation',
  method: 'POST',
  path: '/api/v1/conditional-access/named-locations',
  summary: 'Creates a named location (audited)',
  tag: TAG,
  body: NamedLocationInput,
  status: 201,
  response: NamedLocationResponse,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const updateNamedLocation = endpoint({
  name: 'updateNamedLocation',
  method: 'PUT',
  path: '/api/v1/conditional-access/named-locations/:id',
  summary: 'Replaces a named location (audited, before → after)',
  tag: TAG,
  params: IdParams,
  body: NamedLocationInput,
  status: 200,
  response: NamedLocationResponse,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const deleteNamedLocation = endpoint({
  name: 'deleteNamedLocation',
  method: 'DELETE',
  path: '/api/v1/conditional-access/named-locations/:id',
  summary: 'Deletes a named location that no policy uses (`conflict` otherwise; audited)',
  tag: TAG,
  params: IdParams,
  body: EmptyBody,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const whatIf = endpoint({
  name: 'whatIf',
  method: 'POST',
  path: '/api/v1/conditional-access/what-if',
  summary: 'Evaluates the current policies for a person and a request, and says which apply and why',
  description: 'Changes nothing and is not written to the sign-in log.',
  tag: TAG,
  body: WhatIfRequest,
  status: 200,
  response: WhatIfResponse,
  caller: 'user',
  permission: MANAGE,
  command: true,
});

export const listSignIns = endpoint({
  name: 'listSignIns',
  method: 'GET',
  path: '/api/v1/reports/sign-ins',
  summary: 'The sign-in log: every sign-in and session action with each policy’s result and the decision, newest first',
  description: '`q` matches the person’s name and email, the app and the address.',
  tag: TAG,
  query: SignInLogQuery,
  status: 200,
  response: SignInLogList,
  caller: 'user',
  permission: READ_LOG,
  command: false,
});
