import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import { configDir, makeFolders } from './paths.js';

describe('configDir', () => {
  it('takes REMOTE_HELP_CONFIG_DIR, else the platform folder (a relative XDG_CONFIG_HOME ignored)', () => {
    expect(configDir({ REMOTE_HELP_CONFIG_DIR: '/srv/rh' }, 'linux', '/home/u')).toBe('/srv/rh');
    expect(configDir({}, 'linux', '/home/u')).toBe('/home/u/.config/remote-help');
    expect(configDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/remote-help');
    expect(configDir({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.config/remote-help');
    expect(configDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Remote Help');
  });
});

describe('makeFolders', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rh-folders-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes every missing folder with the mode asked for, and is happy when they exist', async () => {
    await makeFolders(join(dir, 'a/b/c'), 0o700);
    for (const folder of ['a', 'a/b', 'a/b/c']) expect(statSync(join(dir, folder)).mode & 0o777).toBe(0o700);
    await makeFolders(join(dir, 'a/b/c'), 0o700);
    await Promise.all([makeFolders(join(dir, 'p/q')), makeFolders(join(dir, 'p/q'))]);
    expect(statSync(join(dir, 'p/q')).isDirectory()).toBe(true);
  });

  it('rejects at once where a folder cannot be made (procfs: Node’s recursive mkdir never settled there)', async () => {
    await expect(makeFolders('/proc/remote-help-test/a')).rejects.toMatchObject({
      code: 'ENOENT',
      path: '/proc/remote-help-test',
    });
    writeFileSync(join(dir, 'file'), 'x');
    await expect(makeFolders(join(dir, 'file/sub'))).rejects.toMatchObject({
      code: 'ENOTDIR',
      path: join(dir, 'file'),
    });
  });

  it('makes a token store under an impossible folder fail instead of hang', async () => {
    const store = new TokenStore('/proc/remote-help-test/config');
    const tokens = {
      server: 'https://help.example.com',
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: 0,
      account: null,
    };
    await expect(store.set(tokens)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
