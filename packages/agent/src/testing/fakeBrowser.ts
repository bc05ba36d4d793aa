/**
 * @module testing/fakeBrowser
 * A stand-in for the system browser, for tests of the CLI: set
 * `REMOTE_HELP_BROWSER="node --import tsx <this file>"` and the agent runs it with the
 * address of a hand-over page (`platform/browser.ts`); it reads the authorization URL from
 * it, signs in as `FAKE_BROWSER_EMAIL` / `FAKE_BROWSER_PASSWORD` and follows the IdP back to
 * the agent's loopback redirect. Other URLs are ignored.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { handOverTarget } from '../platform/browser.js';
import { BrowserClient } from './browserClient.js';

const given = process.argv.at(-1) ?? '';
const url = given.startsWith('file:') ? (handOverTarget(readFileSync(fileURLToPath(given), 'utf8')) ?? '') : given;
const email = process.env['FAKE_BROWSER_EMAIL'] ?? '';
const password = process.env['FAKE_BROWSER_PASSWORD'] ?? '';

if (url && new URL(url).pathname.startsWith('/oidc/')) {
  await new BrowserClient(new URL(url).origin).completeAgentSignIn(url, email, password);
}
