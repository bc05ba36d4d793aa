#!/usr/bin/env node
// Starts the built server for the end-to-end tests on a fresh database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'rh-e2e-'));
process.env.DATABASE_URL = `sqlite:${join(dir, 'e2e.db')}`;
// The journeys' organizations sign in at identity providers on 127.0.0.1 (loopback is refused by default).
process.env.IDP_ADDRESSES ??= 'any';
await import('../packages/server/dist/main.js');
