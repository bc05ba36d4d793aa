/**
 * @module api/meta
 * The contract describing itself: the OpenAPI document and its browsable page.
 */
import { z } from 'zod';
import { endpoint } from './contract.js';

const tag = 'API';

export const getOpenApi = endpoint({
  name: 'getOpenApi',
  method: 'GET',
  path: '/api/openapi.json',
  summary: 'This API as an OpenAPI 3.1 document, generated from the contract',
  tag,
  status: 200,
  response: z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }) }),
  caller: 'public',
  command: false,
});

export const getApiDocs = endpoint({
  name: 'getApiDocs',
  method: 'GET',
  path: '/api/docs',
  summary: 'A browsable page of this API, rendered on the server from the contract',
  tag,
  status: 200,
  response: { contentType: 'text/html', description: 'A self-contained HTML page (no scripts).' },
  caller: 'public',
  command: false,
});
