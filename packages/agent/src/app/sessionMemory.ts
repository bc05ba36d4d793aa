/**
 * @module app/sessionMemory
 * The session this agent is in, remembered in its state directory (`config/paths.ts`)
 * so that an agent that was killed, crashed or restarted can rejoin it on start while
 * the session lives. One small JSON file, mode 0600, written atomically; anything
 * unreadable counts as nothing remembered.
 *
 * With the session, whether the local user allowed sharing in it, and with which helper
 * (`SharingConsent`): an agent restarted in a session it shared goes on sharing without a
 * new Allow, and one restarted in a session it did not share refuses it if the server says
 * it is active. Full control is never remembered: it needs a new Allow after a restart.
 */
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { makeFolders } from '../config/paths.js';

/** File name inside the state directory. */
export const SESSION_FILE = 'current-session.json';

const Remembered = z.strictObject({
  server: z.string().max(2048),
  sessionId: z.string().min(1).max(64),
  /** The local user allowed sharing in this session, with this helper (absent: not, or not yet). */
  allowed: z.strictObject({ helperId: z.string().min(1).max(64) }).optional(),
});

/** The session remembered for a server. */
export interface RememberedSession {
  sessionId: string;
  /** The helper the local user allowed to see the screen in it (null: no Allow yet). */
  allowedHelperId: string | null;
}

/** Reads and writes the remembered session; calls run one after another. */
export class SessionMemory {
  readonly file: string;
  readonly #dir: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    this.#dir = dir;
    this.file = join(dir, SESSION_FILE);
  }

  /** The session remembered for `server`, or null. */
  read(server: string): Promise<RememberedSession | null> {
    return this.#serialized(async () => {
      const text = await readFile(this.file, 'utf8').catch(() => null);
      if (text === null) return null;
      try {
        const parsed = Remembered.safeParse(JSON.parse(text));
        if (!parsed.success || parsed.data.server !== server) return null;
        return { sessionId: parsed.data.sessionId, allowedHelperId: parsed.data.allowed?.helperId ?? null };
      } catch {
        return null;
      }
    });
  }

  /**
   * Remembers `sessionId` as the session in progress on `server`, and `allowedHelperId`
   * as the helper the local user allowed to see the screen in it (null: no Allow yet).
   */
  remember(server: string, sessionId: string, allowedHelperId: string | null = null): Promise<void> {
    return this.#serialized(async () => {
      await makeFolders(this.#dir, 0o700);
      const temp = `${this.file}.${process.pid}.tmp`;
      const record = { server, sessionId, ...(allowedHelperId ? { allowed: { helperId: allowedHelperId } } : {}) };
      await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, this.file);
    });
  }

  /** Forgets the session (it ended, or cannot be rejoined). */
  forget(): Promise<void> {
    return this.#serialized(() => rm(this.file, { force: true }));
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
