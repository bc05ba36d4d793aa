/**
 * @module update/preferences
 * Whether this agent updates itself, and from which channel. The administrator's install
 * configuration sets the default (`autoUpdate`, `updateChannel` in agent.json); the user's own
 * `update.json` in the agent's configuration folder (`{"autoUpdate": false}`) or
 * `REMOTE_HELP_AUTO_UPDATE=off` turns it off for them. The organization's policy, from the server,
 * can turn updates off for every device; none of these can change which key releases must be signed with.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReleaseChannel } from '@remote-help/protocol';
import { z } from 'zod';
import type { InstallConfig } from '../config/installConfig.js';

const UserFile = z.strictObject({ autoUpdate: z.boolean().optional(), updateChannel: ReleaseChannel.optional() });

export interface UpdatePreferences {
  autoUpdate: boolean;
  channel: ReleaseChannel;
  /** Where the choice came from, for the log. */
  source: string;
}

export async function updatePreferences(
  configDir: string,
  install: InstallConfig | null,
  env: Record<string, string | undefined>,
  log: (message: string) => void,
): Promise<UpdatePreferences> {
  let autoUpdate = install?.autoUpdate ?? true;
  let channel: ReleaseChannel = install?.updateChannel ?? 'stable';
  let source = install?.autoUpdate !== undefined ? install.path : 'default';
  const path = join(configDir, 'update.json');
  try {
    const user = UserFile.parse(JSON.parse(await readFile(path, 'utf8')));
    if (user.autoUpdate !== undefined) [autoUpdate, source] = [user.autoUpdate, path];
    if (user.updateChannel) channel = user.updateChannel;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log(`${path} is ignored: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const flag = env['REMOTE_HELP_AUTO_UPDATE'];
  if (flag !== undefined && /^(0|off|false|no)$/i.test(flag)) [autoUpdate, source] = [false, 'REMOTE_HELP_AUTO_UPDATE'];
  return { autoUpdate, channel, source };
}
