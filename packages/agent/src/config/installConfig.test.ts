import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../cliArgs.js';
import { InstallConfigError, installConfigPath, parseInstallConfig, readInstallConfig } from './installConfig.js';

const PATH = '/etc/remote-help/agent.json';
const problems = (text: string): string[] => {
  try {
    parseInstallConfig(text, PATH);
  } catch (error) {
    if (error instanceof InstallConfigError) return error.problems;
    throw error;
  }
  throw new Error('accepted');
};

describe('install-time configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rh-install-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is looked for in /etc on Linux, in /Library on macOS, or where REMOTE_HELP_INSTALL_CONFIG says', () => {
    expect(installConfigPath({}, 'linux')).toBe('/etc/remote-help/agent.json');
    expect(installConfigPath({}, 'darwin')).toBe('/Library/Application Support/Remote Help/agent.json');
    expect(installConfigPath({}, 'win32')).toBeNull();
    expect(installConfigPath({ REMOTE_HELP_INSTALL_CONFIG: '/opt/rh.json' }, 'linux')).toBe('/opt/rh.json');
  });

  it('gives the server as an origin and the enrollment token', () => {
    expect(
      parseInstallConfig('{"server": " https://Help.Example.com/ ", "enrollmentToken": "rhe_abcdefgh12"}', PATH),
    ).toEqual({ server: 'https://help.example.com', enrollmentToken: 'rhe_abcdefgh12', path: PATH });
    expect(parseInstallConfig('{"server": "http://127.0.0.1:8080"}', PATH)).toEqual({
      server: 'http://127.0.0.1:8080',
      path: PATH,
    });
  });

  it('names the file and every bad field', () => {
    expect(problems('{"server": "http://help.example.com", "enrollmentToken": "a b", "sever": 1}')).toEqual([
      expect.stringMatching(/^"server" Refusing plain http to help\.example\.com/),
      '"enrollmentToken" is not an enrollment token: check that it was copied whole',
      'unknown setting "sever"',
    ]);
    expect(problems('{"enrollmentToken": "rhe_abcdefgh"}')).toEqual(['"server" must be a string']);
    expect(problems('{"server": "https://help.example.com/remote"}')).toEqual([
      '"server" The server URL must be the server itself, without a path',
    ]);
    expect(problems('["https://help.example.com"]')).toEqual([
      'it must be an object like {"server": "https://help.example.com"}',
    ]);
    expect(problems('server=https://help.example.com')[0]).toMatch(/^it is not JSON/);
    expect(() => parseInstallConfig('{}', PATH)).toThrow(
      /^The configuration \/etc\/remote-help\/agent\.json set by your administrator cannot be used: /,
    );
  });

  it('reads the file: none is no configuration, an unreadable one is an error', async () => {
    expect(await readInstallConfig(join(dir, 'missing.json'))).toBeNull();
    expect(await readInstallConfig(null)).toBeNull();
    const file = join(dir, 'agent.json');
    writeFileSync(file, '{"server": "https://help.example.com"}');
    expect(await readInstallConfig(file)).toEqual({ server: 'https://help.example.com', path: file });
    await expect(readInstallConfig(dir)).rejects.toThrow(/cannot be read \(EISDIR\)/);
  });

  it('fills in the server and the token when the command line does not give them', () => {
    const defaults = { server: 'https://help.example.com', enrollmentToken: 'rhe_abcdefgh12' };
    expect(parseArgs(['enroll'], {}, defaults)).toEqual({
      command: 'enroll',
      server: 'https://help.example.com',
      token: 'rhe_abcdefgh12',
    });
    expect(parseArgs(['signin'], {}, defaults)).toEqual({ command: 'signin', server: 'https://help.example.com' });
    // The user's --server and REMOTE_HELP_SERVER still win.
    expect(parseArgs(['signin', '--server', 'https://other.example.com'], {}, defaults)).toMatchObject({
      server: 'https://other.example.com',
    });
    expect(parseArgs(['signin'], { REMOTE_HELP_SERVER: 'https://env.example.com' }, defaults)).toMatchObject({
      server: 'https://env.example.com',
    });
  });
});
