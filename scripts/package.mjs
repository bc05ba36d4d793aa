#!/usr/bin/env node
// `npm run package`: builds the installable agent into dist/packages/ — a Debian package for
// Linux x64 and zipped `Remote Help.app` bundles for macOS (arm64, x64). Each carries its own Node
// runtime (from the npm registry, pinned in packaging/targets.mjs) and its native modules.
//   --target linux-x64,darwin-arm64,darwin-x64   only these (default: all)
//   --fast                                       gzip instead of xz for the .deb (tests)
//   --out DIR                                    output folder (default dist/packages)
import { rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROOT } from '../packaging/agentTree.mjs';
import { buildDeb } from '../packaging/deb.mjs';
import { buildMacZip } from '../packaging/macos.mjs';
import { TARGETS } from '../packaging/targets.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const ids = (option('--target') ?? Object.keys(TARGETS).join(',')).split(',');
for (const id of ids) {
  if (!TARGETS[id]) {
    console.error(`Unknown target ${id}; known: ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}
const outDir = resolve(option('--out') ?? join(ROOT, 'dist/packages'));
const compression = args.includes('--fast') ? 'gzip' : 'xz';

const started = Date.now();
const log = (message) => console.log(`  • ${message}`);
const size = (path) => `${(statSync(path).size / 1024 / 1024).toFixed(1)} MB`;
const outputs = [];
const missing = [];
try {
  for (const id of ids) {
    const target = TARGETS[id];
    const t0 = Date.now();
    console.log(`Packaging the agent for ${id}`);
    if (target.os === 'linux') {
      outputs.push(await buildDeb(target, { outDir, compression, log }));
    } else {
      const built = await buildMacZip(target, { outDir, log });
      outputs.push(built.zip);
      missing.push(...built.missing.map((m) => `${id}: ${m}`));
    }
    log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} catch (error) {
  console.error(`\nPackaging failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
rmSync(join(outDir, '.build'), { recursive: true, force: true });
console.log(`\nPackages (${((Date.now() - started) / 1000).toFixed(1)} s):`);
for (const path of outputs) console.log(`  ${relative(process.cwd(), path) || path}  ${size(path)}`);
if (missing.length) {
  console.log('\nNot included (no prebuilt package in the npm registry):');
  for (const m of missing) console.log(`  ${m}`);
}
