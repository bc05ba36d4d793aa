/**
 * @module identity/sealedState
 * State a sign-in page hands to its next form and gets back (who passed which step), kept by
 * the browser instead of the server: JSON in base64url with an expiry, under an HMAC bound to
 * one purpose and one sign-in interaction, so it cannot be forged, replayed into another
 * interaction, or used for another step's purpose. Nothing to store or clean up.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { Clock } from '../time.js';

/** See the module description. `schema` must include `exp` (ms since the epoch). */
export class SealedState<S extends z.ZodType<{ exp: number }>> {
  constructor(private readonly o: { key: string; purpose: string; schema: S; ttlMs: number; clock: Clock }) {}

  private mac(uid: string, body: string): string {
    return createHmac('sha256', this.o.key).update(`${this.o.purpose}:${uid}:${body}`).digest('base64url');
  }

  /** `value` sealed for interaction `uid`, valid for the time to live from now. */
  seal(uid: string, value: Omit<z.infer<S>, 'exp'>): string {
    const body = Buffer.from(JSON.stringify({ ...value, exp: this.o.clock.now() + this.o.ttlMs })).toString(
      'base64url',
    );
    return `${body}.${this.mac(uid, body)}`;
  }

  /** The value sealed for `uid`, or undefined when forged, for another interaction, malformed or expired. */
  open(uid: string, token: string): z.infer<S> | undefined {
    const [body = '', mac = ''] = token.split('.');
    const expected = Buffer.from(this.mac(uid, body));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const parsed = this.o.schema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      return parsed.success && parsed.data.exp >= this.o.clock.now() ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
