/**
 * @module testing/fakeBrowser
 * A stand-in for the system browser, for tests of the CLI: set
 * `REMOTE_HELP_BROWSER="node --import tsx <this file>"` and the agent runs it with the
 * authorization URL; it signs in as `FAKE_BROWSER_EMAIL` / `FAKE_BROWSER_PASSWORD` and
 * follows the IdP back to the agent's loopback redirect. Other URLs are ignored.
 */
import { BrowserClient } from './browserClient.js';

const url = process.argv.at(-1) ?? '';
const email = process.env['FAKE_BROWSER_EMAIL'] ?? '';
const password = process.env['FAKE_BROWSER_PASSWORD'] ?? '';

if (new URL(url).pathname.startsWith('/oidc/')) {
  await new BrowserClient(new URL(url).origin).completeAgentSignIn(url, email, password);
}
