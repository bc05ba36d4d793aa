/**
 * @module domains/txtLookup
 * Looks up a name's TXT records through `node:dns`'s `Resolver` (c-ares): the servers come from
 * the configuration (`DNS_SERVERS`; the system's when unset), one try, bounded by `timeoutMs`.
 * Each record's character strings are joined (RFC 7208 style), so a long value split in chunks
 * compares whole. Failures are typed: no record (`dns_record_missing`), no answer in time
 * (`dns_timeout`), anything else the resolver reports (`dns_lookup_failed` with `data.reason`:
 * `servfail`, `refused`, `unreachable`, …).
 */
import { Resolver } from 'node:dns/promises';
import { AppError } from '../errors.js';

/** The TXT values at `name` (each record's strings joined). Throws `AppError` with a DNS code. */
export type TxtLookup = (name: string) => Promise<string[]>;

export interface TxtLookupOptions {
  /** `address[:port]` entries; null: the system's resolvers. */
  servers: readonly string[] | null;
  timeoutMs: number;
}

/** c-ares codes → why, as the refusal's `data.reason` says it. */
const REASONS: Record<string, string> = {
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ECONNREFUSED: 'unreachable',
  EFORMERR: 'formerr',
  EBADRESP: 'bad_response',
  ENOTIMP: 'not_implemented',
};

/** Maps a resolver failure for `name` to the typed refusal the administrator reads. */
export function lookupError(name: string, code: string | undefined, timeoutMs: number): AppError {
  switch (code) {
    case 'ENODATA':
    case 'ENOTFOUND':
      return new AppError('dns_record_missing', `There is no TXT record at ${name}. Publish it, then verify again.`, {
        name,
      });
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return new AppError(
        'dns_timeout',
        `The DNS server did not answer within ${timeoutMs} ms for ${name}. Try again in a moment.`,
        { name, timeoutMs },
      );
    default: {
      const reason = (code && REASONS[code]) ?? 'error';
      return new AppError('dns_lookup_failed', `The DNS lookup of ${name} failed (${reason}). Try again later.`, {
        name,
        reason,
      });
    }
  }
}

/** A lookup through the configured servers (see the module description). */
export function dnsTxtLookup(options: TxtLookupOptions): TxtLookup {
  return async (name) => {
    // One resolver per lookup: `cancel()` below ends only this one's queries.
    const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
    if (options.servers) resolver.setServers([...options.servers]);
    // c-ares keeps its own timer; this one only guards against it never firing.
    const guard = setTimeout(() => resolver.cancel(), options.timeoutMs + 1000);
    try {
      const records = await resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(''));
    } catch (error) {
      throw lookupError(name, (error as NodeJS.ErrnoException).code, options.timeoutMs);
    } finally {
      clearTimeout(guard);
    }
  };
}
