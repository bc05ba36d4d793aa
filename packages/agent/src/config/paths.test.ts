import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenStore } from '../auth/tokenStore.js';
import { configDir, makeFolders, privateFolder, runtimeDir } from './paths.js';

describe('configDir', () => {
  it('takes REMOTE_HELP_CONFIG_DIR, else the platform folder (a relative XDG_CONFIG_HOME ignored)', () => {
    expect(configDir({ REMOTE_HELP_CONFIG_DIR: '/srv/rh' }, 'linux', '/home/u')).toBe('/srv/rh');
    expect(configDir({}, 'linux', '/home/u')).toBe('/home/u/.config/remote-help');
    expect(configDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/u')).toBe('/x/remote-help');
    expect(configDir({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.config/remote-help');
    expect(configDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Remote Help');
  });
});

describe('runtimeDir', () => {
  it('takes REMOTE_HELP_RUNTIME_DIR, else $XDG_RUNTIME_DIR/remote-help on Linux, else run in the configuration folder', () => {
    expect(runtimeDir({ REMOTE_HELP_RUNTIME_DIR: '/srv/rt' }, 'linux', '/home/u')).toBe('/srv/rt');
    expect(runtimeDir({ XDG_RUNTIME_DIR: '/run/user/1000' }, 'linux', '/home/u')).toBe('/run/user/1000/remote-help');
    expect(runtimeDir({ XDG_RUNTIME_DIR: 'rel' }, 'linux', '/home/u')).toBe('/home/u/.config/remote-help/run');
    expect(runtimeDir({}, 'linux', '/home/u')).toBe('/home/u/.config/remote-help/run');
    expect(runtimeDir({ REMOTE_HELP_CONFIG_DIR: '/srv/rh' }, 'linux', '/home/u')).toBe('/srv/rh/run');
    expect(runtimeDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Remote Help/run');
  });
});

describe('privateFolder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rh-private-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a 0700 folder, narrows one of this user to 0700, refuses a symbolic link', async () => {
    await privateFolder(join(dir, 'a/b'));
    expect(statSync(join(dir, 'a/b')).mode & 0o777).toBe(0o700);
    mkdirSync(join(dir, 'open'), { mode: 0o777 });
    await privateFolder(join(dir, 'open'));
    expect(statSync(join(dir, 'open')).mode & 0o777).toBe(0o700);
    symlinkSync(join(dir, 'open'), join(dir, 'link'));
    await expect(privateFolder(join(dir, 'link'))).rejects.toMatchObject({ code: 'EACCES' });
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a folder another user made', async () => {
    mkdirSync(join(dir, 'theirs'), { mode: 0o700 });
    chownSync(join(dir, 'theirs'), 65534, 65534);
    await expect(privateFolder(join(dir, 'theirs'))).rejects.toMatchObject({ code: 'EACCES' });
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
