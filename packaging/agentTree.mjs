// Builds the agent's installed tree for one target in `dir`:
//   node                 the Node runtime (from an npm package, see targets.mjs)
//   package.json         name, version, "type": "module" (the CLI reads its version here)
//   dist/cli.mjs         the agent bundled by esbuild (every pure-JS dependency inside)
//   static/              the agent window's page
//   node_modules/        the native modules, as files next to the bundle
//   licenses/node/       Node's licence
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { EXTERNAL } from './targets.mjs';

export const ROOT = new URL('..', import.meta.url).pathname;
const AGENT = join(ROOT, 'packages/agent');
export const CACHE = join(ROOT, 'dist/.package-cache');

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The agent's version (packages/agent/package.json). */
export const agentVersion = () => readJson(join(AGENT, 'package.json')).version;

/** Runs a command, failing with its output. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** `npm pack <spec>` into the cache (once) and unpacks it; returns the unpacked package folder. */
export function fetchPackage(spec) {
  const safe = spec.replace(/^@/, '').replace(/[/@]/g, '-');
  const unpacked = join(CACHE, safe);
  if (existsSync(join(unpacked, 'package.json'))) return unpacked;
  mkdirSync(CACHE, { recursive: true });
  const out = run('npm', ['pack', spec, '--json', '--pack-destination', CACHE], { cwd: CACHE });
  const [{ filename }] = JSON.parse(out);
  const tmp = `${unpacked}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('tar', ['-xzf', join(CACHE, filename), '-C', tmp, '--strip-components=1', '--no-same-owner']);
  rmSync(join(CACHE, filename));
  cpSync(tmp, unpacked, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  return unpacked;
}

/** Where this checkout has `name` installed, or null. */
function installed(name) {
  for (const base of [join(AGENT, 'node_modules'), join(ROOT, 'node_modules')]) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return null;
}

function localPackage(name) {
  const dir = installed(name);
  if (!dir) throw new Error(`${name} is not installed in this checkout (run npm ci)`);
  return dir;
}

/** Copies a package and, recursively, its dependencies (from node_modules, else the registry) into `modules`. */
function copyWithDependencies(name, source, modules) {
  const dest = join(modules, name);
  if (existsSync(dest)) return;
  cpSync(source, dest, { recursive: true, dereference: true });
  for (const [dep, range] of Object.entries(readJson(join(source, 'package.json')).dependencies ?? {})) {
    copyWithDependencies(dep, installed(dep) ?? fetchPackage(`${dep}@${range}`), modules);
  }
}

/** The version a local package asks for `name` in its optionalDependencies (platform prebuilds). */
function wantedVersion(name, locals) {
  for (const local of locals) {
    const pkg = readJson(join(localPackage(local), 'package.json'));
    const version = pkg.optionalDependencies?.[name] ?? pkg.dependencies?.[name];
    if (version) return version;
  }
  throw new Error(`no package of this target names a version of ${name}`);
}

/** esbuild plugin: the window's page sits at static/ beside dist/, one level up from the bundle. */
const staticDirPlugin = {
  name: 'agent-static-dir',
  setup(b) {
    b.onLoad({ filter: /[\\/]ui[\\/]uiServer\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const from = "new URL('../../static/', import.meta.url)";
      if (!source.includes(from))
        throw new Error(`uiServer.ts no longer reads ${from}: update packaging/agentTree.mjs`);
      return { contents: source.replace(from, "new URL('../static/', import.meta.url)"), loader: 'ts' };
    });
  },
};

/**
 * Bundles the agent into `dir/dist/cli.mjs`. `releasePublicKey` (PEM) replaces the built-in release
 * key (`update/releaseKey.ts`): for test builds only, a build-time constant like the key itself.
 */
async function bundle(dir, { releasePublicKey } = {}) {
  await build({
    entryPoints: [join(AGENT, 'src/cli.ts')],
    outfile: join(dir, 'dist/cli.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    alias: { '@remote-help/protocol': join(ROOT, 'packages/protocol/src/index.ts') },
    define: {
      'process.env.NODE_ENV': '"production"',
      ...(releasePublicKey ? { __RH_RELEASE_PUBLIC_KEY__: JSON.stringify(releasePublicKey) } : {}),
    },
    // CommonJS dependencies (ws) call require(); an ES module bundle has to provide it.
    banner: {
      js: "import { createRequire as __rhCreateRequire } from 'node:module'; const require = __rhCreateRequire(import.meta.url);",
    },
    plugins: [staticDirPlugin],
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: false,
    minify: false,
    sourcemap: false,
    tsconfig: join(AGENT, 'tsconfig.json'),
  });
}

/**
 * Builds the tree; returns the list of modules it could not provide. `options.version` replaces
 * the version written to its package.json and `options.releasePublicKey` the built-in release key
 * (tests of self-update build their v1 and v2 this way).
 */
export async function buildAgentTree(dir, target, log, options = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'licenses/node'), { recursive: true });

  log(`bundling the agent for ${target.id}`);
  await bundle(dir, options);
  cpSync(join(AGENT, 'static'), join(dir, 'static'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'remote-help-agent', version: options.version ?? agentVersion(), private: true, type: 'module' }, null, 2)}\n`,
  );

  log(`fetching the Node runtime ${target.runtime} (npm registry, cached in dist/.package-cache)`);
  const runtime = fetchPackage(target.runtime);
  copyFileSync(join(runtime, 'bin/node'), join(dir, 'node'));
  chmodSync(join(dir, 'node'), 0o755);
  copyFileSync(join(runtime, 'LICENSE'), join(dir, 'licenses/node/LICENSE'));

  log(`copying native modules: ${[...target.local, ...target.registry].join(', ')}`);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const name of target.local) copyWithDependencies(name, localPackage(name), modules);
  for (const name of target.registry) {
    const source = fetchPackage(`${name}@${wantedVersion(name, target.local)}`);
    copyWithDependencies(name, source, modules);
  }
  return target.missing;
}
