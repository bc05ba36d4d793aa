// Signed agent releases (ADR 0022): a release is the agent's installed tree (packaging/agentTree.mjs)
// as a gzip'd tar, and a manifest (version, channel, platform, file, size, SHA-256) whose exact bytes
// the release key signs with Ed25519. The agent checks the signature with the public key built into
// it, then the package's size and hash, before it changes anything.
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './agentTree.mjs';

/** A new release key pair (PEM): the private half signs releases, the public half goes into the agent. */
export function generateReleaseKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Signs the manifest's exact bytes; returns what is published as `<file>.manifest.json`. */
export function signManifest(manifest, privateKeyPem) {
  const bytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const signature = sign(null, bytes, createPrivateKey(privateKeyPem));
  return { manifest: bytes.toString('base64'), signature: signature.toString('base64') };
}

/**
 * Packs `tree` (an installed agent tree: node, dist/cli.mjs, package.json…) into
 * `outDir/remote-help-agent-<version>-<platform>.tar.gz` and writes its signed manifest beside it.
 * Returns both paths and the manifest.
 */
export function signRelease({ tree, platform, channel = 'stable', privateKeyPem, outDir, publishedAt = new Date() }) {
  const version = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')).version;
  const file = `remote-help-agent-${version}-${platform}.tar.gz`;
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, file);
  run('tar', ['-czf', path, '--owner=0', '--group=0', '-C', tree, '.']);
  const manifest = {
    product: 'remote-help-agent',
    version,
    channel,
    platform,
    file,
    size: statSync(path).size,
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    publishedAt: publishedAt.toISOString(),
  };
  const manifestPath = `${path}.manifest.json`;
  writeFileSync(manifestPath, `${JSON.stringify(signManifest(manifest, privateKeyPem), null, 2)}\n`);
  return { path, manifestPath, manifest };
}
