#!/usr/bin/env node
// `npm run release:sign`: publishes an agent release for self-update (ADR 0022).
//   --keygen DIR                      writes release-key.pem (keep it secret, offline) and release-key.pub.pem
//   --tree DIR --key FILE [--platform linux-x64] [--channel stable] [--out dist/releases]
//                                     packs the installed agent tree DIR and signs its manifest
// Copy both output files into the server's AGENT_RELEASES_DIR to publish.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from '../packaging/agentTree.mjs';
import { generateReleaseKey, signRelease } from '../packaging/release.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};

const keygen = option('--keygen');
if (keygen) {
  const { privateKeyPem, publicKeyPem } = generateReleaseKey();
  mkdirSync(keygen, { recursive: true });
  writeFileSync(join(keygen, 'release-key.pem'), privateKeyPem, { mode: 0o600 });
  writeFileSync(join(keygen, 'release-key.pub.pem'), publicKeyPem);
  console.log(`Wrote ${join(keygen, 'release-key.pem')} (secret) and release-key.pub.pem`);
  process.exit(0);
}

const tree = option('--tree');
const key = option('--key');
if (!tree || !key) {
  console.error('Usage: npm run release:sign -- --tree DIR --key FILE [--platform P] [--channel C] [--out DIR]');
  process.exit(2);
}
const platform = option('--platform') ?? 'linux-x64';
const channel = option('--channel') ?? 'stable';
if (!['linux-x64', 'darwin-arm64', 'darwin-x64'].includes(platform) || !['stable', 'beta'].includes(channel)) {
  console.error(`Unknown platform ${platform} or channel ${channel}`);
  process.exit(2);
}
const outDir = resolve(option('--out') ?? join(ROOT, 'dist/releases'));
const { path, manifestPath, manifest } = signRelease({
  tree: resolve(tree),
  platform,
  channel,
  privateKeyPem: readFileSync(key, 'utf8'),
  outDir,
});
console.log(
  `Signed ${manifest.version} (${platform}, ${channel}): ${path}\n  ${manifestPath}\n  sha256 ${manifest.sha256}`,
);
