/**
 * @module auth/tokenStore
 * The agent's tokens on disk: one JSON file, mode 0600, in a 0700 directory, holding the
 * tokens of each server the user signed in to. Writes go to a temporary file that is
 * renamed over the old one, so a crash never leaves half a file. A file that other users
 * can read is treated as leaked: it is deleted and the user signs in again.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { makeFolders } from '../config/paths.js';

/** Tokens of one server, as the agent stores them. */
export const StoredTokens = z.object({
  /** The server's origin (`https://help.example.com`). */
  server: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().nullable(),
  /** When the access token expires (ms since the epoch). */
  expiresAt: z.number(),
  /** Who signed in (from the ID token), for display only. */
  account: z.object({ subject: z.string(), email: z.string().nullable(), name: z.string().nullable() }).nullable(),
});
/** Tokens of one server (see the schema). */
export type StoredTokens = z.infer<typeof StoredTokens>;

const TokenFile = z.object({ version: z.literal(1), servers: z.record(z.string(), StoredTokens) });
type TokenFile = z.infer<typeof TokenFile>;

/** File name inside the configuration directory. */
export const TOKEN_FILE = 'tokens.json';

/** What `load` found, for diagnostics. */
export type TokenFileStatus = 'ok' | 'missing' | 'corrupt' | 'insecure';

/** Reads and writes the token file. All methods are safe to call concurrently within one process. */
export class TokenStore {
  readonly file: string;
  readonly #dir: string;
  #queue: Promise<unknown> = Promise.resolve();
  #lastStatus: TokenFileStatus = 'missing';

  constructor(dir: string) {
    this.#dir = dir;
    this.file = join(dir, TOKEN_FILE);
  }

  /** What the last read found (`insecure`: the file was readable by others and was deleted). */
  get lastStatus(): TokenFileStatus {
    return this.#lastStatus;
  }

  /** The tokens for `server`, or null. */
  async get(server: string): Promise<StoredTokens | null> {
    return this.#serialized(async () => (await this.#read()).servers[server] ?? null);
  }

  /** Every server with stored tokens. */
  async servers(): Promise<string[]> {
    return this.#serialized(async () => Object.keys((await this.#read()).servers));
  }

  /** Stores (replaces) the tokens of `tokens.server`. */
  async set(tokens: StoredTokens): Promise<void> {
    await this.#serialized(async () => {
      const file = await this.#read();
      file.servers[tokens.server] = tokens;
      await this.#write(file);
    });
  }

  /** Forgets one server's tokens, or all of them. Returns the tokens removed. */
  async remove(server?: string): Promise<StoredTokens[]> {
    return this.#serialized(async () => {
      const file = await this.#read();
      const removed = server === undefined ? Object.values(file.servers) : [file.servers[server]];
      file.servers = Object.fromEntries(
        Object.entries(file.servers).filter(([key]) => server !== undefined && key !== server),
      );
      if (Object.keys(file.servers).length === 0) await rm(this.file, { force: true });
      else await this.#write(file);
      return removed.filter((t): t is StoredTokens => t !== undefined);
    });
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(): Promise<TokenFile> {
    const empty = (): TokenFile => ({ version: 1, servers: {} });
    let mode: number;
    try {
      mode = (await stat(this.file)).mode;
    } catch {
      this.#lastStatus = 'missing';
      return empty();
    }
    if ((mode & 0o077) !== 0) {
      // Someone else could have read the tokens: do not use them.
      await rm(this.file, { force: true });
      this.#lastStatus = 'insecure';
      return empty();
    }
    try {
      const parsed = TokenFile.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      this.#lastStatus = parsed.success ? 'ok' : 'corrupt';
      return parsed.success ? parsed.data : empty();
    } catch {
      this.#lastStatus = 'corrupt';
      return empty();
    }
  }

  async #write(file: TokenFile): Promise<void> {
    await makeFolders(this.#dir, 0o700);
    await chmod(this.#dir, 0o700);
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(file, null, 2), { mode: 0o600, flag: 'wx' });
      await chmod(temp, 0o600); // in case the umask or the file system widened it
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
