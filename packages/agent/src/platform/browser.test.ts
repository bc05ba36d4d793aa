import { describe, expect, it } from 'vitest';
import { browserCommand, openUrl } from './browser.js';

const URL_ = 'http://127.0.0.1:5000/?t=abc';

describe('browserCommand', () => {
  it('runs REMOTE_HELP_BROWSER with the URL as its last argument, without a shell', () => {
    expect(browserCommand(URL_, { env: { REMOTE_HELP_BROWSER: 'node  helper.js --flag' } })).toEqual({
      command: 'node',
      args: ['helper.js', '--flag', URL_],
    });
  });

  it('opens the system browser for sign-in (xdg-open on Linux, open on macOS)', () => {
    expect(browserCommand(URL_, { env: {}, platform: 'linux' })).toEqual({ command: 'xdg-open', args: [URL_] });
    expect(browserCommand(URL_, { env: {}, platform: 'darwin' })).toEqual({ command: 'open', args: [URL_] });
  });

  it('prefers a Chromium app window for the agent window when one is installed', () => {
    const env = { PATH: '/usr/bin:/bin' };
    const command = browserCommand(URL_, { env, platform: 'linux', appWindow: true });
    if (command.command === 'xdg-open') return; // no Chromium on this machine
    expect(command.args).toEqual([`--app=${URL_}`, '--new-window']);
    expect(browserCommand(URL_, { env: { PATH: '' }, platform: 'linux', appWindow: true }).command).toBe('xdg-open');
  });

  it('reports a browser that cannot start as browser_unavailable', async () => {
    await expect(openUrl(URL_, { env: { REMOTE_HELP_BROWSER: '/nonexistent/browser' } })).rejects.toMatchObject({
      reason: 'browser_unavailable',
    });
  });
});
