/**
 * @module api/agentUpdates
 * The agent's self-update (ADR 0022): what an enrolled agent asks for (device-signed), the
 * tenant's update policy (administrators with `settings.manage`, audited) and the versions its
 * devices run (whoever may see every device).
 */
import { AgentUpdatePolicy, AgentUpdateQuery, AgentUpdateResponse, AgentVersionSummary } from '../agentUpdates.js';
import { endpoint } from './contract.js';

const tag = 'Agent updates';

export const getAgentUpdate = endpoint({
  name: 'getAgentUpdate',
  method: 'GET',
  path: '/api/v1/agent/update',
  summary:
    'The newest signed release for the asking device’s platform and channel, and its organization’s update policy',
  description:
    'Device-signed. `release.manifest` is the exact signed bytes (base64), `release.signature` the release key’s Ed25519 signature over them; the agent checks both with the key built into it before it downloads `release.url`. The server never signs anything.',
  tag,
  query: AgentUpdateQuery,
  status: 200,
  response: AgentUpdateResponse,
  caller: 'device',
  command: false,
});

export const getAgentUpdatePolicy = endpoint({
  name: 'getAgentUpdatePolicy',
  method: 'GET',
  path: '/api/v1/tenant/agent-updates',
  summary: 'The organization’s minimum agent version and whether agents update themselves',
  tag,
  status: 200,
  response: AgentUpdatePolicy,
  caller: 'user',
  permission: { all: ['settings.manage'], denied: 'Your role does not allow you to manage settings.' },
  command: false,
});

export const updateAgentUpdatePolicy = endpoint({
  name: 'updateAgentUpdatePolicy',
  method: 'PUT',
  path: '/api/v1/tenant/agent-updates',
  summary: 'Replaces the organization’s agent update policy (audited, before → after)',
  tag,
  body: AgentUpdatePolicy,
  status: 200,
  response: AgentUpdatePolicy,
  caller: 'user',
  permission: { all: ['settings.manage'], denied: 'Your role does not allow you to manage settings.' },
  command: true,
});

export const getAgentVersions = endpoint({
  name: 'getAgentVersions',
  method: 'GET',
  path: '/api/v1/devices/agent-versions',
  summary: 'Agent versions across the organization’s enrolled devices, with those below the minimum counted',
  tag,
  status: 200,
  response: AgentVersionSummary,
  caller: 'user',
  permission: { any: ['devices.read', 'devices.manage'], denied: 'Your role does not allow you to see every device.' },
  command: false,
});
