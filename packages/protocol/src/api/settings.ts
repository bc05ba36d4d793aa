/**
 * @module api/settings
 * Tenant settings (Tenant administration > Remote Help > Settings) and compliance policies,
 * both for administrators: `settings.manage` and `policies.manage`.
 */
import { z } from 'zod';
import { CompliancePolicy, CompliancePolicyInput, CompliancePolicyList, ComplianceStatus } from '../compliance.js';
import { TenantSettingsResponse, UpdateTenantSettingsRequest } from '../settings.js';
import type { PermissionRule } from './contract.js';
import { EmptyBody, IdParams, endpoint } from './contract.js';

const MANAGE_SETTINGS: PermissionRule = {
  all: ['settings.manage'],
  denied: 'Your role does not allow you to manage settings.',
};
const MANAGE_POLICIES: PermissionRule = {
  all: ['policies.manage'],
  denied: 'Your role does not allow you to manage compliance policies.',
};

/** `{ policy }`: the reply of a policy's creation or change. */
export const CompliancePolicyResponse = z.object({ policy: CompliancePolicy });
export type CompliancePolicyResponse = z.infer<typeof CompliancePolicyResponse>;

export const getTenantSettings = endpoint({
  name: 'getTenantSettings',
  method: 'GET',
  path: '/api/v1/tenant/settings',
  summary: 'The organization’s Remote Help settings',
  tag: 'Settings',
  status: 200,
  response: TenantSettingsResponse,
  caller: 'user',
  permission: MANAGE_SETTINGS,
  command: false,
});

export const updateTenantSettings = endpoint({
  name: 'updateTenantSettings',
  method: 'PUT',
  path: '/api/v1/tenant/settings',
  summary: 'Replaces the organization’s Remote Help settings (audited, before → after)',
  description:
    'Every field is required. Turning Remote Help off ends the organization’s live sessions (`terminated_by_admin`) and refuses every session action (`tenant_disabled`); turning unenrolled devices off refuses web sharers and agents of devices not enrolled in the organization at redeem (`unenrolled_not_allowed`).',
  tag: 'Settings',
  body: UpdateTenantSettingsRequest,
  status: 200,
  response: TenantSettingsResponse,
  caller: 'user',
  permission: MANAGE_SETTINGS,
  command: true,
});

export const listCompliancePolicies = endpoint({
  name: 'listCompliancePolicies',
  method: 'GET',
  path: '/api/v1/compliance-policies',
  summary: 'The organization’s compliance policies',
  tag: 'Compliance',
  status: 200,
  response: CompliancePolicyList,
  caller: 'user',
  permission: MANAGE_POLICIES,
  command: false,
});

export const getComplianceStatus = endpoint({
  name: 'getComplianceStatus',
  method: 'GET',
  path: '/api/v1/compliance-policies/status',
  summary: 'How many devices are compliant and noncompliant, per policy and overall, evaluated now',
  description:
    'Every enrolled device against the current policies and device groups (dynamic groups by their rule over the last inventory). The device list shows the state stored at the last evaluation, which a change of policies, a check-in and the hourly sweep refresh.',
  tag: 'Compliance',
  status: 200,
  response: ComplianceStatus,
  caller: 'user',
  permission: MANAGE_POLICIES,
  command: false,
});

export const createCompliancePolicy = endpoint({
  name: 'createCompliancePolicy',
  method: 'POST',
  path: '/api/v1/compliance-policies',
  summary: 'A new compliance policy; every device is evaluated again',
  tag: 'Compliance',
  body: CompliancePolicyInput,
  status: 201,
  response: CompliancePolicyResponse,
  caller: 'user',
  permission: MANAGE_POLICIES,
  command: true,
});

export const updateCompliancePolicy = endpoint({
  name: 'updateCompliancePolicy',
  method: 'PUT',
  path: '/api/v1/compliance-policies/:id',
  summary: 'Replaces a compliance policy; every device is evaluated again',
  tag: 'Compliance',
  params: IdParams,
  body: CompliancePolicyInput,
  status: 200,
  response: CompliancePolicyResponse,
  caller: 'user',
  permission: MANAGE_POLICIES,
  command: true,
});

export const deleteCompliancePolicy = endpoint({
  name: 'deleteCompliancePolicy',
  method: 'DELETE',
  path: '/api/v1/compliance-policies/:id',
  summary: 'Deletes a compliance policy; every device is evaluated again',
  tag: 'Compliance',
  params: IdParams,
  body: EmptyBody,
  bodyOptional: true,
  status: 204,
  response: null,
  caller: 'user',
  permission: MANAGE_POLICIES,
  command: true,
});
