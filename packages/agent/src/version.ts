/**
 * @module version
 * The running agent's version: its package.json's. This module sits where `cli.ts` does, so
 * `../package.json` is the agent package's from source (`packages/agent/`) and the installed
 * tree's from the bundle (`dist/cli.mjs` → `package.json` of the tree), which an update replaces.
 */
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function agentVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return cached;
}
