#!/usr/bin/env node
// A "system browser" for the agent journey: REMOTE_HELP_BROWSER runs it with the URL to
// open; it appends the URL to $RH_URL_FILE so the test opens it in a real browser page.
import { appendFileSync } from 'node:fs';

appendFileSync(process.env.RH_URL_FILE, `${process.argv.at(-1)}\n`);
