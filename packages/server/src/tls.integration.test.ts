/**
 * The server speaks HTTPS when TLS_CERT and TLS_KEY are set (certificate made here with openssl).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestServer } from './test/harness.js';
import { startTestServer } from './test/harness.js';

let t: TestServer;
let cert: Buffer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  cert = (await import('node:fs')).readFileSync(certFile);
  t = await startTestServer({ TLS_CERT: certFile, TLS_KEY: keyFile, SEED_DEMO: 'false' });
});
afterAll(async () => t?.stop());

it('serves /healthz over HTTPS with the configured certificate', async () => {
  expect(t.url.startsWith('https://')).toBe(true);
  const body = await new Promise<string>((resolve, reject) => {
    request(`${t.url}/healthz`, { ca: cert }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
  expect(JSON.parse(body)).toEqual({ status: 'ok' });
});
