import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  browserCommand,
  handOverDir,
  handOverPage,
  handOverTarget,
  openUrl,
  snapOfDesktopFile,
  snapOfPath,
} from './browser.js';

const URL_ = 'http://127.0.0.1:5000/?t=abc';
/** What the agent opens: the window's one-time token, and a sign-in's state and PKCE challenge. */
const WINDOW_URL = 'http://127.0.0.1:5000/?t=WindowToken_0123456789abcdefghijklmnopq';
const SIGN_IN_URL =
  'https://help.example.com/oidc/auth?client_id=remote-help-agent&state=StateSecret0123456789&' +
  'code_challenge=ChallengeSecret0123456789&code_challenge_method=S256&' +
  'redirect_uri=http%3A%2F%2F127.0.0.1%3A40123%2Fcallback';
const SECRETS = ['WindowToken_0123456789', 'StateSecret0123456789', 'ChallengeSecret0123456789', '?t=', 'state='];

/**
 * A "browser" that records what any local user could see of it (its command line, read back from
 * /proc) and what it was given to read: the file's mode and content, the folder's mode.
 */
const RECORDER = `
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const arg = process.argv.slice(2).find((a) => a.includes('file:')) ?? process.argv.at(-1);
const given = arg.replace(/^--app=/, '');
const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\\0').join(' ');
const file = given.startsWith('file:') ? fileURLToPath(given) : null;
const record = {
  given,
  cmdline,
  fileMode: file ? statSync(file).mode & 0o777 : null,
  dirMode: file ? statSync(dirname(file)).mode & 0o777 : null,
  content: file ? readFileSync(file, 'utf8') : null,
};
appendFileSync(process.env.RECORD_FILE, JSON.stringify(record) + '\\n');
`;

interface Record_ {
  given: string;
  cmdline: string;
  fileMode: number | null;
  dirMode: number | null;
  content: string | null;
}

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
    const dir = mkdtempSync(join(tmpdir(), 'rh-browser-'));
    try {
      await expect(
        openUrl(URL_, { env: { REMOTE_HELP_BROWSER: '/nonexistent/browser' }, dir: join(dir, 'run') }),
      ).rejects.toMatchObject({ reason: 'browser_unavailable' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the hand-over page', () => {
  it('sends the browser on with location.replace, and nothing in the URL can close its script', () => {
    const page = handOverPage(SIGN_IN_URL);
    expect(page).toContain('location.replace(');
    expect(page).toContain('<meta name="referrer" content="no-referrer">');
    expect(handOverTarget(page)).toBe(SIGN_IN_URL);
    const tricky = 'http://127.0.0.1:5000/?t=a"</script><script>alert(1)</script>';
    const escaped = handOverPage(tricky);
    expect(escaped).not.toContain('</script><script>');
    expect(handOverTarget(escaped)).toBe(new URL(tricky).href);
    expect(() => handOverPage('javascript:alert(1)')).not.toThrow(); // a URL; the agent only opens its own
  });
});

describe('where the hand-over page goes', () => {
  it('in the runtime folder; for a browser confined as a snap, in that snap’s own folder of it', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' };
    expect(handOverDir(env, null)).toBe('/run/user/1000/remote-help');
    expect(handOverDir(env, 'firefox')).toBe('/run/user/1000/snap.firefox');
    expect(handOverDir({ ...env, REMOTE_HELP_RUNTIME_DIR: '/srv/rt' }, 'firefox')).toBe('/srv/rt');
    expect(handOverDir({ REMOTE_HELP_CONFIG_DIR: '/srv/rh' }, 'firefox')).toBe('/srv/rh/run');
    expect(snapOfPath('/snap/bin/chromium')).toBe('chromium');
    expect(snapOfPath('/usr/bin/chromium')).toBeNull();
    expect(snapOfPath('/snap/bin/../x')).toBeNull();
    expect(snapOfDesktopFile('firefox_firefox.desktop\n')).toBe('firefox');
    expect(snapOfDesktopFile('chromium_chromium.desktop')).toBe('chromium');
    expect(snapOfDesktopFile('firefox.desktop')).toBeNull();
    expect(snapOfDesktopFile('org.mozilla.firefox.desktop')).toBeNull();
  });
});

describe('openUrl never puts the URL on a command line', () => {
  let dir: string;
  let records: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rh-browser-'));
    records = join(dir, 'records.jsonl');
    writeFileSync(join(dir, 'recorder.mjs'), RECORDER);
    env = { REMOTE_HELP_BROWSER: `${process.execPath} ${join(dir, 'recorder.mjs')}`, RECORD_FILE: records };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const opened = async (count: number): Promise<Record_[]> => {
    await vi.waitFor(
      () => expect(existsSync(records) && readFileSync(records, 'utf8').trim().split('\n').length).toBe(count),
      { timeout: 10_000 },
    );
    return readFileSync(records, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record_);
  };

  it('gives the browser a 0600 page in a 0700 folder that sends it on; the page goes once the secret is spent', async () => {
    const runtime = join(dir, 'runtime', 'remote-help');
    let spend: () => void = () => undefined;
    const redeemed = new Promise<void>((resolve) => (spend = resolve));
    const window = await openUrl(WINDOW_URL, { env, dir: runtime, appWindow: true, until: redeemed });
    const finished = new AbortController();
    const signIn = await openUrl(SIGN_IN_URL, { env, dir: runtime, until: finished.signal });
    const records = await opened(2);
    for (const record of records) for (const secret of SECRETS) expect(record.cmdline).not.toContain(secret);
    for (const [url, page] of [
      [WINDOW_URL, window],
      [SIGN_IN_URL, signIn],
    ] as const) {
      const record = records.find((r) => r.given.startsWith('file:') && fileURLToPath(r.given) === page.file);
      if (!record) throw new Error(`no browser was given ${page.file}: ${JSON.stringify(records)}`);
      for (const secret of SECRETS) expect(record.cmdline).not.toContain(secret);
      expect(record.fileMode).toBe(0o600);
      expect(record.dirMode).toBe(0o700);
      expect(handOverTarget(record.content ?? '')).toBe(url);
    }
    expect(statSync(runtime).mode & 0o777).toBe(0o700);
    expect(existsSync(window.file) && existsSync(signIn.file)).toBe(true);
    spend(); // the window spent its token
    await vi.waitFor(() => expect(existsSync(window.file)).toBe(false));
    expect(existsSync(signIn.file)).toBe(true);
    finished.abort(); // the sign-in ended
    expect(existsSync(signIn.file)).toBe(false);
  });

  it('runs a Chromium app window on the page, not on the URL', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'chromium'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'recorder.mjs')}" "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const appEnv = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, RECORD_FILE: records };
    const page = await openUrl(WINDOW_URL, { env: appEnv, dir: join(dir, 'run'), appWindow: true, platform: 'linux' });
    const [record] = await opened(1);
    for (const secret of SECRETS) expect(record?.cmdline).not.toContain(secret);
    expect(record?.cmdline).toContain(`--app=file://${page.file}`);
    expect(record?.cmdline).toContain('--new-window');
    expect(handOverTarget(record?.content ?? '')).toBe(WINDOW_URL);
    page.close();
  });

  it('deletes a page no browser came for after a short time, and one whose browser did not start at once', async () => {
    // A browser that never reads the page.
    const page = await openUrl(SIGN_IN_URL, { env: { REMOTE_HELP_BROWSER: 'true' }, dir, handOverMs: 200 });
    expect(existsSync(page.file)).toBe(true);
    await vi.waitFor(() => expect(existsSync(page.file)).toBe(false), { timeout: 2000 });
    await expect(
      openUrl(SIGN_IN_URL, { env: { REMOTE_HELP_BROWSER: '/nonexistent/browser' }, dir: join(dir, 'failed') }),
    ).rejects.toMatchObject({ reason: 'browser_unavailable' });
    expect(readdirSync(join(dir, 'failed'))).toEqual([]);
  });

  it('refuses a folder that is a symbolic link; narrows one that others can enter to 0700', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    symlinkSync(elsewhere, join(dir, 'link'));
    await expect(openUrl(URL_, { env, dir: join(dir, 'link') })).rejects.toMatchObject({
      reason: 'browser_unavailable',
    });
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    const page = await openUrl(URL_, { env, dir: open });
    expect(statSync(open).mode & 0o777).toBe(0o700);
    page.close();
    expect(existsSync(page.file)).toBe(false);
  });
});
