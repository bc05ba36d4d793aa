/**
 * Integration (issue 11, items 2 and 3): agent releases and the tenant's update policy over the
 * real server. Releases signed as `npm run release:sign` signs them are found in
 * `AGENT_RELEASES_DIR` and offered to enrolled devices (device-signed) per platform and channel,
 * malformed or incomplete ones are never offered, and only listed package files are served. The
 * policy is read and replaced by `settings.manage` only, audited before → after;
 * the version summary counts the organization's devices and flags those below the minimum.
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentUpdateResponse,
  AgentVersionSummary,
  ReleaseManifest,
  type Inventory,
  type ReleaseManifest as Manifest,
} from '@remote-help/protocol';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test/harness.js';
import { Client, startTestServer } from '../test/harness.js';

const releases = mkdtempSync(join(tmpdir(), 'rh-releases-'));
const key = generateKeyPairSync('ed25519').privateKey;
let t: TestServer;
let admin: Client;
let helper: Client;
let previousDir: string | undefined;

beforeAll(async () => {
  previousDir = process.env['AGENT_RELEASES_DIR'];
  process.env['AGENT_RELEASES_DIR'] = releases;
  t = await startTestServer();
  admin = new Client(t.url);
  await admin.signIn('admin@contoso.example');
  helper = new Client(t.url);
  await helper.signIn('helper@contoso.example');
});
afterAll(async () => {
  await t?.stop();
  if (previousDir === undefined) delete process.env['AGENT_RELEASES_DIR'];
  else process.env['AGENT_RELEASES_DIR'] = previousDir;
  rmSync(releases, { recursive: true, force: true });
});

const inventory = (agentVersion: string): Inventory => ({
  hostname: `host-${agentVersion}`,
  os: 'linux',
  osVersion: '12',
  model: null,
  serial: null,
  isVirtualMachine: true,
  diskEncrypted: null,
  firewallEnabled: null,
  screenCount: 1,
  agentVersion,
});

/** Publishes a release as the signing script does; returns its manifest. */
function publish(version: string, o: { channel?: 'stable' | 'beta'; platform?: Manifest['platform'] } = {}): Manifest {
  const platform = o.platform ?? 'linux-x64';
  const file = `remote-help-agent-${version}-${platform}.tar.gz`;
  const bytes = Buffer.from(`package ${version} ${platform}`);
  writeFileSync(join(releases, file), bytes);
  const manifest = ReleaseManifest.parse({
    product: 'remote-help-agent',
    version,
    channel: o.channel ?? 'stable',
    platform,
    file,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    publishedAt: new Date().toISOString(),
  });
  const raw = Buffer.from(JSON.stringify(manifest));
  writeFileSync(
    join(releases, `${file}.manifest.json`),
    JSON.stringify({ manifest: raw.toString('base64'), signature: sign(null, raw, key).toString('base64') }),
  );
  return manifest;
}

async function enrolledDevice(client: Client, agentVersion: string) {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(publicKey);
  const token = (await client.post('/api/v1/enrollment-tokens', {})).body.token as string;
  const r = await fetch(`${t.url}/api/v1/devices/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x },
      inventory: inventory(agentVersion),
    }),
  });
  const { deviceId } = (await r.json()) as { deviceId: string };
  const proof = (method: string, path: string) =>
    new SignJWT({ htm: method, htu: `${t.url}${path}` })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(deviceId)
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(privateKey);
  const update = async (query: string) => {
    const response = await fetch(`${t.url}/api/v1/agent/update${query}`, {
      headers: { authorization: `Device ${await proof('GET', '/api/v1/agent/update')}` },
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  return { id: deviceId, update };
}

const manifestOf = (body: unknown): Manifest | null => {
  const parsed = AgentUpdateResponse.parse(body);
  return parsed.release
    ? ReleaseManifest.parse(JSON.parse(Buffer.from(parsed.release.manifest, 'base64').toString('utf8')))
    : null;
};

describe('releases offered to devices', () => {
  it('nothing published: no release, and the organization’s policy', async () => {
    const device = await enrolledDevice(admin, '1.0.0');
    const r = await device.update('?platform=linux-x64');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ release: null, policy: { minimumVersion: null, autoUpdate: true } });
  });

  it('the newest release for the platform and channel, signed bytes as published, and a download URL', async () => {
    publish('1.1.0');
    const newest = publish('1.10.0');
    publish('2.0.0', { platform: 'darwin-arm64' });
    publish('1.11.0-beta.1', { channel: 'beta' });
    const device = await enrolledDevice(admin, '1.0.0');
    const stable = await device.update('?platform=linux-x64');
    expect(manifestOf(stable.body)).toEqual(newest);
    const url = (stable.body as { release: { url: string } }).release.url;
    expect(url).toBe(`${t.url}/download/releases/${newest.file}`);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('package 1.10.0 linux-x64');
    // Beta devices get the newest of beta and stable.
    expect(manifestOf((await device.update('?platform=linux-x64&channel=beta')).body)?.version).toBe('1.11.0-beta.1');
    expect(manifestOf((await device.update('?platform=darwin-arm64')).body)?.version).toBe('2.0.0');
    expect(manifestOf((await device.update('')).body)).toBeNull();
  });

  it('a manifest whose package is missing or not its size, or malformed, is never offered', async () => {
    const broken = publish('9.0.0');
    writeFileSync(join(releases, broken.file), 'shorter');
    publish('9.1.0');
    rmSync(join(releases, 'remote-help-agent-9.1.0-linux-x64.tar.gz'));
    writeFileSync(join(releases, 'remote-help-agent-9.2.0-linux-x64.tar.gz.manifest.json'), '{"manifest":"e30="}');
    const device = await enrolledDevice(admin, '1.0.0');
    expect(manifestOf((await device.update('?platform=linux-x64')).body)?.version).toBe('1.10.0');
    expect((await fetch(`${t.url}/download/releases/${broken.file}`)).status).toBe(404);
    for (const name of ['..%2Fetc%2Fpasswd', 'remote-help-agent-1.10.0-linux-x64.tar.gz.manifest.json', 'x.tar.gz'])
      expect((await fetch(`${t.url}/download/releases/${name}`)).status).toBe(404);
  });

  it('only a device proof may ask', async () => {
    const r = await fetch(`${t.url}/api/v1/agent/update?platform=linux-x64`);
    expect(r.status).toBe(401);
    expect((await admin.json('/api/v1/agent/update?platform=linux-x64')).status).toBe(401);
  });
});

describe('the organization’s policy and the versions of its devices', () => {
  it('settings.manage reads and replaces it; each change is audited before → after; bad input changes nothing', async () => {
    expect((await admin.json('/api/v1/tenant/agent-updates')).body).toEqual({ minimumVersion: null, autoUpdate: true });
    const bad = await admin.json('/api/v1/tenant/agent-updates', 'PUT', { minimumVersion: 'latest', autoUpdate: true });
    expect(bad.status).toBe(400);
    expect(
      (await helper.json('/api/v1/tenant/agent-updates', 'PUT', { minimumVersion: null, autoUpdate: false })).status,
    ).toBe(403);
    const r = await admin.json('/api/v1/tenant/agent-updates', 'PUT', { minimumVersion: '1.1.0', autoUpdate: false });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ minimumVersion: '1.1.0', autoUpdate: false });
    const audit = await admin.json('/api/v1/audit?action=tenant.settings_updated');
    const entry = (audit.body.events as { data: Record<string, unknown> }[])[0];
    expect(entry?.data).toEqual({
      area: 'agentUpdates',
      before: { minimumVersion: null, autoUpdate: true },
      after: { minimumVersion: '1.1.0', autoUpdate: false },
    });
    // Devices get it with their update answer.
    const device = await enrolledDevice(admin, '1.0.0');
    expect(AgentUpdateResponse.parse((await device.update('?platform=linux-x64')).body).policy).toEqual({
      minimumVersion: '1.1.0',
      autoUpdate: false,
    });
  });

  it('the summary counts enrolled devices per version, newest first, and flags those below the minimum', async () => {
    await enrolledDevice(admin, '1.10.0');
    await enrolledDevice(admin, '1.9.3');
    const r = await admin.json('/api/v1/devices/agent-versions');
    expect(r.status).toBe(200);
    const summary = AgentVersionSummary.parse(r.body);
    expect(summary.versions.map((v) => v.version)).toEqual(['1.10.0', '1.9.3', '1.0.0']);
    expect(summary.versions.find((v) => v.version === '1.0.0')).toMatchObject({ belowMinimum: true });
    expect(summary.versions.find((v) => v.version === '1.9.3')).toMatchObject({ devices: 1, belowMinimum: false });
    const below = summary.versions.find((v) => v.version === '1.0.0')?.devices ?? 0;
    expect(below).toBeGreaterThanOrEqual(3);
    expect(summary.belowMinimum).toBe(below);
    expect(summary.latest).toEqual(
      expect.arrayContaining([
        { platform: 'linux-x64', version: '1.10.0' },
        { platform: 'darwin-arm64', version: '2.0.0' },
      ]),
    );
    expect((await helper.json('/api/v1/devices/agent-versions')).status).toBe(403);
  });
});
