/**
 * @module platform
 * Picks the platform adapter for the running OS. Adapters are imported lazily so
 * one platform's native modules are never loaded on another.
 */
import { AgentError } from '../errors.js';
import type { PlatformAdapter } from './types.js';

export type * from './types.js';

export interface PlatformOptions {
  /** X display for the Linux adapter (default `$DISPLAY`). */
  display?: string;
}

/** The adapter for `platform` (default: this process's), or `AgentError('unsupported_platform')`. */
export async function loadPlatform(
  options: PlatformOptions = {},
  platform: NodeJS.Platform = process.platform,
): Promise<PlatformAdapter> {
  switch (platform) {
    case 'linux': {
      const { createLinuxPlatform } = await import('./linux/index.js');
      return createLinuxPlatform(options);
    }
    case 'darwin': {
      const { createDarwinPlatform } = await import('./darwin/index.js');
      return createDarwinPlatform();
    }
    default:
      throw new AgentError('unsupported_platform', `The agent does not support ${platform} yet`, { platform });
  }
}
