/**
 * @module api/openapi
 * The OpenAPI 3.1 document of the contract. Schemas come from zod 4's `z.toJSONSchema`
 * (requests as their input, replies as their output); who may call becomes `security`,
 * the permission an `x-permission` extension and a sentence of the description.
 */
import { z } from 'zod';
import { ErrorEnvelope } from '../errors.js';
import type { Endpoint, PermissionRule } from './contract.js';
import { isSchemaResponse } from './contract.js';
import { ENDPOINTS } from './endpoints.js';

type Json = Record<string, unknown>;

/** A JSON Schema of `schema` for use inside the document (no `$schema` of its own). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  delete out['$schema'];
  return out;
}

/** The security schemes a caller kind needs (`[]`: anyone). */
export function securityOf(e: Endpoint): Record<string, string[]>[] {
  switch (e.caller) {
    case 'public':
    case 'enrollmentToken':
      return [];
    case 'user':
      return [e.command ? { sessionCookie: [], csrfHeader: [] } : { sessionCookie: [] }, { bearer: [] }];
    case 'agent':
      return [{ bearer: [] }];
    case 'device':
      return [{ deviceProof: [] }];
    case 'agentAndDevice':
      return [{ bearer: [], deviceProofHeader: [] }];
  }
}

/** The permission rule in words. */
export function describePermission(rule: PermissionRule): string {
  const parts: string[] = [];
  if (rule.all?.length) parts.push(rule.all.map((p) => `\`${p}\``).join(' and '));
  if (rule.any?.length) parts.push(`one of ${rule.any.map((p) => `\`${p}\``).join(', ')}`);
  return `Requires the permission ${parts.join(' and ')}.`;
}

const CALLERS: Record<Endpoint['caller'], string> = {
  public: 'Anyone.',
  enrollmentToken: 'A device with an enrollment token in the body (no person).',
  user: 'A signed-in person: the session cookie (commands also send `x-csrf-token`) or the agent’s bearer token.',
  agent: 'The native agent’s bearer token only.',
  device: 'An enrolled device: `Authorization: Device <JWT>` signed with its key.',
  agentAndDevice:
    'The native agent: its user’s bearer token and the device’s proof in `x-device-proof` (the invited device).',
};

const PARTICIPANTS = {
  either: 'Only a participant of the session.',
  helper: 'Only the helper of the session.',
  sharer: 'Only the sharer of the session.',
} as const;

function parametersOf(e: Endpoint): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', e.params],
    ['query', e.query],
  ] as const) {
    if (!schema) continue;
    const json = jsonSchemaOf(schema, 'input');
    const properties = (json['properties'] ?? {}) as Record<string, Json>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, property] of Object.entries(properties))
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: property });
  }
  return out;
}

function operationOf(e: Endpoint): Json {
  const description = [
    e.description,
    `**Who:** ${CALLERS[e.caller]}`,
    e.permission ? describePermission(e.permission) : undefined,
    e.participant ? PARTICIPANTS[e.participant] : undefined,
    e.command && (e.caller === 'user' || e.caller === 'agent')
      ? 'A command: with the session cookie it needs `x-csrf-token`, and any `Origin` must be ours.'
      : undefined,
  ]
    .filter(Boolean)
    .join('\n\n');
  const op: Json = {
    operationId: e.name,
    summary: e.summary,
    description,
    tags: [e.tag],
    security: securityOf(e),
    'x-caller': e.caller,
    'x-command': e.command,
  };
  if (e.permission)
    op['x-permission'] = {
      ...(e.permission.all ? { all: e.permission.all } : {}),
      ...(e.permission.any ? { any: e.permission.any } : {}),
    };
  if (e.participant) op['x-participant'] = e.participant;
  const parameters = parametersOf(e);
  if (parameters.length) op['parameters'] = parameters;
  if (e.body) {
    op['requestBody'] = {
      required: !e.bodyOptional && !e.body.safeParse(undefined).success,
      content: { 'application/json': { schema: jsonSchemaOf(e.body, 'input') } },
      ...(e.bodyLimit ? { 'x-body-limit': e.bodyLimit } : {}),
    };
  }
  const ok: Json =
    e.response === null
      ? { description: 'Done; no content.' }
      : isSchemaResponse(e.response)
        ? { description: 'Success.', content: { 'application/json': { schema: jsonSchemaOf(e.response, 'output') } } }
        : { description: e.response.description, content: { [e.response.contentType]: { schema: {} } } };
  const error = { $ref: '#/components/responses/Error' };
  op['responses'] = { [String(e.response === null ? 204 : e.status)]: ok, '4XX': error, '5XX': error };
  return op;
}

/** `:id` → `{id}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z_]+)/g, '{$1}');

/** The whole document. `serverUrl` becomes the one entry of `servers`. */
export function openApiDocument(options: { version: string; serverUrl?: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const e of ENDPOINTS) {
    const item = (paths[openApiPath(e.path)] ??= {});
    item[e.method.toLowerCase()] = operationOf(e);
  }
  const tags = [...new Set(ENDPOINTS.map((e) => e.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'remote-help API',
      version: options.version,
      description:
        'Generated from the contract in `packages/protocol/src/api`. Errors are always `{ ok: false, error, message, data? }`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags,
    paths,
    components: {
      schemas: { ErrorEnvelope: jsonSchemaOf(ErrorEnvelope, 'output') },
      responses: {
        Error: {
          description: 'The error envelope; `error` is one of the closed set of codes.',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
        },
      },
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'rh_session',
          description: 'The browser apps’ session cookie (`__Host-rh_session` under https).',
        },
        csrfHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'x-csrf-token',
          description: 'The `csrfToken` of `GET /api/v1/me`; needed on commands made with the cookie.',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The native agent’s access token from the embedded IdP.',
        },
        deviceProof: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: '`Device <JWT>` signed with the device’s Ed25519 key (`htm`, `htu`, `iat`, single-use `jti`).',
        },
        deviceProofHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'x-device-proof',
          description: 'The device’s proof (as `deviceProof`) beside the user’s bearer token.',
        },
      },
    },
  };
}
