/**
 * @module session/apiClient
 * The agent's adapter of the protocol's client core: every call carries
 * `Authorization: Bearer` (no CSRF token is needed for bearer tokens), gets one retry with a
 * freshly refreshed token after a 401, and a redeem from an enrolled machine carries the
 * device's proof. A redeem whose proof is refused because the device's enrollment was revoked
 * is told (`onDeviceRevoked`) and made again without one: help with a security code does not
 * depend on the enrollment. Replies are validated against the contract; every failure is the
 * protocol's one `ApiError`.
 */
import { API, ApiError, callEndpoint, errorOf, isApiError } from '@remote-help/protocol';
import type { ApiErrorCode, FetchLike, Me as MeType, SessionView, SharerStatusRequest } from '@remote-help/protocol';
import type { AccessTokenProvider } from '../auth/credentials.js';

export { ApiError, isApiError };
export type { ApiErrorCode };

/** Where the API is and how to authenticate. */
export interface ApiClientOptions {
  /** The server's origin, e.g. `https://help.example.com`. */
  server: string;
  tokens: AccessTokenProvider;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /**
   * Signs a device proof for `method url` (`devices/identity`) when this machine is enrolled
   * (null: not, or no longer): sent as `x-device-proof` on redeem, so the server knows the
   * sharer's enrolled device.
   */
  deviceProof?: ((method: string, url: string) => Promise<string | null>) | undefined;
  /**
   * The server refused the device's proof on redeem because the enrollment was revoked
   * (`message`: its words). Awaited before the redeem is made again without a proof.
   */
  onDeviceRevoked?: ((message: string) => Promise<void>) | undefined;
}

/** An image fetched through the API. */
export interface ApiImage {
  contentType: string;
  body: Uint8Array;
}

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml']);

/** The REST API of one server, as the signed-in agent. */
export class ApiClient {
  readonly server: string;
  readonly #tokens: AccessTokenProvider;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #deviceProof: ApiClientOptions['deviceProof'];
  readonly #onDeviceRevoked: ApiClientOptions['onDeviceRevoked'];
  /** The server said the device's enrollment was revoked: no more proofs. */
  #proofRefused = false;
  readonly #core: { baseUrl: string; fetch: FetchLike };

  constructor(options: ApiClientOptions) {
    this.server = options.server;
    this.#tokens = options.tokens;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? fetch;
    this.#deviceProof = options.deviceProof;
    this.#onDeviceRevoked = options.onDeviceRevoked;
    this.#core = { baseUrl: new URL(this.server).origin, fetch: (url, init) => this.#send(url, init) };
  }

  /** `GET /api/v1/me` */
  me(): Promise<MeType> {
    return callEndpoint(this.#core, API.getMe);
  }

  /**
   * `POST /api/v1/sessions/redeem` as the native agent, with the device's proof when enrolled.
   * Refused as a revoked device: told, then again as an unenrolled one (the server checks the
   * proof before the code, so the code is still unspent).
   */
  async redeem(code: string): Promise<SessionView> {
    const redeem = async () =>
      (await callEndpoint(this.#core, API.redeemCode, { body: { code, client: 'agent' } })).session;
    try {
      return await redeem();
    } catch (error) {
      if (!isApiError(error, 'device_revoked') || this.#proofRefused) throw error;
      this.#proofRefused = true;
      await this.#onDeviceRevoked?.(error.message);
      return redeem();
    }
  }

  /** `GET /api/v1/sessions/:id` */
  async session(id: string): Promise<SessionView> {
    return (await callEndpoint(this.#core, API.getSession, { params: { id } })).session;
  }

  /** `POST /api/v1/sessions/:id/respond`: allow or decline the pending request. */
  async respond(id: string, allow: boolean): Promise<SessionView> {
    return (await callEndpoint(this.#core, API.respond, { params: { id }, body: { allow } })).session;
  }

  /** `POST /api/v1/sessions/:id/drop-control`: the sharer takes control back; the session continues in view. */
  async dropControl(id: string): Promise<SessionView> {
    return (await callEndpoint(this.#core, API.dropControl, { params: { id }, body: {} })).session;
  }

  /**
   * `POST /api/v1/sessions/:id/sharer-status`: what this device does with the picture
   * (`sharing`, `paused` by the sharer, `unavailable` when the display is gone).
   */
  async setSharerStatus(id: string, status: SharerStatusRequest['status']): Promise<SessionView> {
    return (await callEndpoint(this.#core, API.setSharerStatus, { params: { id }, body: { status } })).session;
  }

  /** `POST /api/v1/sessions/:id/leave` */
  async leave(id: string): Promise<SessionView> {
    return (await callEndpoint(this.#core, API.leaveSession, { params: { id }, body: {} })).session;
  }

  /**
   * Fetches an image the API points at (a profile photo). Only URLs on this server are
   * fetched, so the bearer token never goes anywhere else.
   */
  async image(url: string): Promise<ApiImage> {
    const target = new URL(url, this.server);
    if (target.origin !== new URL(this.server).origin) {
      throw new ApiError('bad_request', 'Images are fetched only from the Remote Help server.');
    }
    const response = await this.#send(target.href, { method: 'GET', headers: { accept: 'image/*' } });
    if (!response.ok) throw await errorOf(response);
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!IMAGE_TYPES.has(contentType)) throw new ApiError('bad_response', 'The server did not send an image.');
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > MAX_IMAGE_BYTES) throw new ApiError('payload_too_large', 'The image is too large.');
    return { contentType, body };
  }

  /** Sends with the current token (and a fresh device proof on redeem); on 401 refreshes once and retries. */
  async #send(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
  ): Promise<Response> {
    const prove = new URL(url).pathname === API.redeemCode.path && !this.#proofRefused ? this.#deviceProof : undefined;
    const attempt = async (forceRefresh: boolean): Promise<Response> => {
      const token = await this.#tokens.accessToken({ forceRefresh });
      const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${token}` };
      // A fresh proof per attempt: each is accepted once.
      const proof = prove ? await prove(init.method, url) : null;
      if (proof) headers['x-device-proof'] = proof;
      try {
        return await this.#fetch(url, {
          method: init.method,
          headers,
          body: init.body ?? null,
          redirect: 'error',
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        throw new ApiError('network_error', `Cannot reach ${this.server}.`, { cause: error });
      }
    };
    const first = await attempt(false);
    if (first.status !== 401) return first;
    await first.body?.cancel();
    return attempt(true);
  }
}
