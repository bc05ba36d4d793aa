#!/usr/bin/env node
// A "system browser" for the agent journey: REMOTE_HELP_BROWSER runs it with the URL to
// open; it appends the URL to $RH_URL_FILE so the test opens it in a real browser page.
// The agent gives browsers the file:// address of a private hand-over page (never the URL
// itself, which holds a secret: packages/agent/src/platform/browser.ts); the URL it sends
// the browser to is read from it here, at once (the agent deletes the page soon after).
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const given = process.argv.at(-1);
const target = given.startsWith('file:')
  ? JSON.parse(/location\.replace\(("(?:[^"\\]|\\.)*")\)/.exec(readFileSync(fileURLToPath(given), 'utf8'))[1])
  : given;
appendFileSync(process.env.RH_URL_FILE, `${target}\n`);
