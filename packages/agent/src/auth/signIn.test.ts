/**
 * The sign-in's authorization URL (its state and PKCE challenge) never reaches a command line:
 * with them another local user could finish a sign-in of their own into this agent, or cancel
 * it. The system browser gets a private hand-over page instead, gone once the sign-in ends.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentOidcClient, AuthorizationRequest } from './oidc.js';
import { runSignIn } from './signIn.js';
import type { StoredTokens } from './tokenStore.js';

const STATE = 'StateSecret-0123456789abcdef';
const CHALLENGE = 'ChallengeSecret-0123456789abcdef';

/** The system browser: records its command line, reads the page it was given and comes back to the loopback as the IdP would. */
const BROWSER = `
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const given = process.argv.at(-1);
const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\\0').join(' ');
const page = given.startsWith('file:') ? readFileSync(fileURLToPath(given), 'utf8') : null;
const url = new URL(page ? JSON.parse(/location\\.replace\\(("(?:[^"\\\\]|\\\\.)*")\\)/.exec(page)[1]) : given);
appendFileSync(process.env.RECORD_FILE, JSON.stringify({ given, cmdline, url: url.href }) + '\\n');
const back = new URL(url.searchParams.get('redirect_uri'));
back.searchParams.set('code', 'the-code');
back.searchParams.set('state', url.searchParams.get('state'));
await fetch(back);
`;

describe('runSignIn opens the authorization URL without a command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rh-signin-'));
    writeFileSync(join(dir, 'browser.mjs'), BROWSER);
    vi.stubEnv('REMOTE_HELP_BROWSER', `${process.execPath} ${join(dir, 'browser.mjs')}`);
    vi.stubEnv('REMOTE_HELP_RUNTIME_DIR', join(dir, 'run'));
    vi.stubEnv('RECORD_FILE', join(dir, 'records.jsonl'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the browser a private page, signs in through it, and deletes it when the sign-in ends', async () => {
    let exchanged: URL | null = null;
    const client = {
      async authorizationRequest(redirectUri: string): Promise<AuthorizationRequest> {
        const url = new URL('https://help.example.com/oidc/auth');
        url.searchParams.set('redirect_uri', redirectUri);
        url.searchParams.set('state', STATE);
        url.searchParams.set('code_challenge', CHALLENGE);
        return { url, redirectUri, state: STATE, verifier: 'v' };
      },
      async exchange(_request: AuthorizationRequest, callback: URL): Promise<StoredTokens> {
        exchanged = callback;
        return {
          server: 'https://help.example.com',
          accessToken: 'a',
          refreshToken: null,
          expiresAt: 0,
          account: null,
        };
      },
    } as unknown as AgentOidcClient;
    const tokens = await runSignIn({ client, server: 'https://help.example.com', timeoutMs: 10_000 });
    expect(tokens.accessToken).toBe('a');
    expect((exchanged as URL | null)?.searchParams.get('code')).toBe('the-code');
    const record = JSON.parse(readFileSync(join(dir, 'records.jsonl'), 'utf8')) as {
      given: string;
      cmdline: string;
      url: string;
    };
    for (const secret of [STATE, CHALLENGE, 'oidc/auth', 'state=']) expect(record.cmdline).not.toContain(secret);
    expect(record.given).toMatch(/^file:\/\//);
    expect(new URL(record.url).searchParams.get('state')).toBe(STATE);
    // The sign-in is over: the page is gone.
    expect(existsSync(new URL(record.given))).toBe(false);
    expect(readdirSync(join(dir, 'run'))).toEqual([]);
  });

  it('tells a browser opener when the sign-in has ended, also when it fails', async () => {
    const signals: AbortSignal[] = [];
    const client = {
      authorizationRequest: async (redirectUri: string) => ({
        url: new URL('https://help.example.com/oidc/auth'),
        redirectUri,
        state: STATE,
        verifier: 'v',
      }),
      exchange: async () => {
        throw new Error('refused');
      },
    } as unknown as AgentOidcClient;
    const abort = new AbortController();
    const running = runSignIn({
      client,
      server: 'https://help.example.com',
      signal: abort.signal,
      openBrowser: async (_url, signIn) => void signals.push(signIn.finished),
    });
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    expect(signals[0]?.aborted).toBe(false);
    abort.abort();
    await expect(running).rejects.toMatchObject({ reason: 'signin_cancelled' });
    expect(signals[0]?.aborted).toBe(true);
  });
});
