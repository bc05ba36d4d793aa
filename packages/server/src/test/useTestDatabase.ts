/**
 * @module test/useTestDatabase
 * A test file's own migrated database (`test/database`'s engine: SQLite, or PostgreSQL in its run),
 * opened before its tests and dropped after. Apart from `test/database`, which the load bench's
 * harness also loads outside the test runner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Db } from '../db/client.js';
import { openTestDatabase } from './database.js';

/**
 * A migrated database of the configured engine for the test file that calls this at its top level:
 * opened in a temporary directory before its tests, closed (dropped) and the directory removed after.
 * Read it through the returned function once the tests run.
 */
export function useTestDatabase(prefix: string): () => Db {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let opened: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  beforeAll(async () => {
    opened = await openTestDatabase(dir);
  }, 60_000);
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!opened) throw new Error('the test database is opened before the tests run');
    return opened.db;
  };
}
