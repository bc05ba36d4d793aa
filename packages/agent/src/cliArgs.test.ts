import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, parseArgs, UsageError } from './cliArgs.js';

describe('parseArgs', () => {
  it('parses share with every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs([
        'share',
        '--server',
        'https://help.example.com',
        '--display',
        'DP-1',
        '--no-window',
        '--pixels',
        'video',
      ]),
    ).toEqual({
      command: 'share',
      server: 'https://help.example.com',
      display: 'DP-1',
      window: false,
      pixels: 'video',
    });
    expect(parseArgs(['share', '--server=https://help.example.com/'])).toEqual({
      command: 'share',
      server: 'https://help.example.com',
      display: null,
      window: true,
      pixels: 'tiles',
    });
  });

  it('takes the server from REMOTE_HELP_SERVER, the flag winning', () => {
    const env = { REMOTE_HELP_SERVER: 'https://env.example.com' };
    expect(parseArgs(['signin'], env)).toEqual({ command: 'signin', server: 'https://env.example.com' });
    expect(parseArgs(['signin', '--server', 'https://flag.example.com'], env)).toMatchObject({
      server: 'https://flag.example.com',
    });
    expect(parseArgs(['signout'])).toEqual({ command: 'signout', server: null });
  });

  it('answers help and version', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['share', '--help']]) {
      expect(parseArgs(argv)).toEqual({ command: 'help' });
    }
    expect(parseArgs(['--version'])).toEqual({ command: 'version' });
  });

  it('parses enroll with its server and token', () => {
    const token = 'rhe_' + 'a'.repeat(43);
    expect(parseArgs(['enroll', '--server', 'https://help.example.com', '--token', token])).toEqual({
      command: 'enroll',
      server: 'https://help.example.com',
      token,
    });
    expect(parseArgs(['enroll', `--token=${token}`], { REMOTE_HELP_SERVER: 'http://127.0.0.1:8181' })).toEqual({
      command: 'enroll',
      server: 'http://127.0.0.1:8181',
      token,
    });
  });

  it('parses run with and without the window', () => {
    expect(parseArgs(['run'])).toEqual({ command: 'run', window: true, pixels: 'tiles' });
    expect(parseArgs(['run', '--no-window', '--pixels=tiles'])).toEqual({
      command: 'run',
      window: false,
      pixels: 'tiles',
    });
  });

  it('parses status, which takes no option', () => {
    expect(parseArgs(['status'])).toEqual({ command: 'status' });
    expect(() => parseArgs(['status', '--server', 'https://help.example.com'])).toThrow(
      /status does not take --server/,
    );
  });

  it.each([
    [['explode'], /Unknown command explode/],
    [['--server', 'https://x.example'], /Unknown option --server/],
    [['share', '--bogus'], /share does not take --bogus/],
    [['share', '--pixels', 'jpeg'], /--pixels takes tiles or video, not "jpeg"/],
    [['run', '--pixels'], /--pixels needs a value/],
    [['signin', '--pixels', 'video'], /signin does not take --pixels/],
    [['signin', '--display', '1'], /signin does not take --display/],
    [['share', '--server'], /--server needs a value/],
    [['share', '--server', '--no-window'], /--server needs a value/],
    [['share', '--server='], /--server needs a value/],
    [['share', '--no-window=yes'], /--no-window takes no value/],
    [['share', '--no-window', '--no-window'], /given twice/],
    [['share', 'extra'], /Unexpected argument/],
    [['share', '--display', 'a b'], /Invalid display id/],
    [['share', '--server', 'help.example.com'], /Invalid server URL/],
    [['enroll', '--token', 'rhe_abcdefgh'], /Give the server/],
    [['enroll', '--server', 'https://help.example.com'], /Give the enrollment token/],
    [['enroll', '--server', 'https://help.example.com', '--token', 'a b c d e f g h'], /not an enrollment token/],
    [['enroll', '--server', 'http://help.example.com', '--token', 'rhe_abcdefgh'], /Refusing plain http/],
    [['enroll', '--display', '1'], /enroll does not take --display/],
    [['run', '--server', 'https://help.example.com'], /run does not take --server/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('normalizeServerUrl', () => {
  it('returns the origin of https URLs and of http URLs on this computer', () => {
    expect(normalizeServerUrl('https://Help.Example.com/')).toBe('https://help.example.com');
    expect(normalizeServerUrl('https://help.example.com:8443')).toBe('https://help.example.com:8443');
    expect(normalizeServerUrl('http://127.0.0.1:8095')).toBe('http://127.0.0.1:8095');
    expect(normalizeServerUrl('http://localhost:8080/')).toBe('http://localhost:8080');
    expect(normalizeServerUrl('http://[::1]:8080')).toBe('http://[::1]:8080');
  });

  it('refuses plain http to other hosts unless allowed', () => {
    expect(() => normalizeServerUrl('http://help.example.com')).toThrow(/Refusing plain http/);
    expect(normalizeServerUrl('http://help.example.com', true)).toBe('http://help.example.com');
  });

  it.each([
    ['ftp://help.example.com', /must start with https/],
    ['javascript:alert(1)', /must start with https/],
    ['https://user:pw@help.example.com', /user name or password/],
    ['https://help.example.com/?x=1', /query or fragment/],
    ['https://help.example.com/#x', /query or fragment/],
    ['https://help.example.com/remote', /without a path/],
    ['not a url', /Invalid server URL/],
  ])('refuses %s', (raw, message) => {
    expect(() => normalizeServerUrl(raw)).toThrow(message);
  });
});
