#!/usr/bin/env node
// Stands in for the system browser in tests: records each URL the agent asks to open.
import { appendFileSync } from 'node:fs';

appendFileSync(process.env.RH_URL_LOG ?? '/dev/null', `${process.argv[2] ?? ''}\n`);
