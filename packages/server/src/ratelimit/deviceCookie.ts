/**
 * @module ratelimit/deviceCookie
 * OWASP's "device cookie": after a successful sign-in the browser gets a signed cookie that
 * names the account and a random nonce. Sign-ins from that browser for that account are
 * counted under the nonce, apart from everyone else's, so an attacker who exhausts the
 * account's budget from elsewhere does not lock its owner out of their usual browser.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'rh_device';
/** 180 days: a browser used at least twice a year stays known. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 3600;

export class DeviceCookies {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('remote-help/device-cookie/v1').digest();
  }

  private mac(email: string, nonce: string): string {
    return createHmac('sha256', this.key).update(`${email}\n${nonce}`).digest('base64url');
  }

  /** A new cookie value for `email` (lower-cased). */
  issue(email: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.mac(email, nonce)}`;
  }

  /** The cookie's nonce if it was issued by us for `email`, else null. */
  nonceFor(value: string | undefined, email: string): string | null {
    if (!value || value.length > 200) return null;
    const [nonce, mac, extra] = value.split('.');
    if (!nonce || !mac || extra !== undefined) return null;
    const expected = Buffer.from(this.mac(email, nonce));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : null;
  }

  /** The `Set-Cookie` header value (path `/signin`: only the sign-in form ever reads it). */
  header(value: string, secure: boolean): string {
    const name = secure ? `__Secure-${DEVICE_COOKIE}` : DEVICE_COOKIE;
    return `${name}=${value}; Path=/signin; Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  /** Reads the cookie value from the request's parsed cookies. */
  read(cookies: Record<string, string | undefined>, secure: boolean): string | undefined {
    return cookies[secure ? `__Secure-${DEVICE_COOKIE}` : DEVICE_COOKIE];
  }
}
