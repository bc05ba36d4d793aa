/**
 * @module app/launchOffers
 * The remote-launch offer waiting for the local user's answer: set by the device's
 * launch connection, dropped when the helper cancels it, when it expires, or when the
 * user answers. Only the newest offer is kept. When the server says the device's enrollment
 * was revoked, the connection stops and the offer goes.
 */
import type { Credentials } from '../auth/credentials.js';
import { answerLaunch } from '../devices/deviceClient.js';
import type { DeviceIdentity } from '../devices/identity.js';
import { LaunchListener, type LaunchOffer } from '../devices/launchListener.js';
import type { SharingSession } from '../session/sharingSession.js';

/** What `PendingLaunch` listens to (the real one is `LaunchListener`). */
export interface LaunchSource {
  on(event: 'launch', listener: (offer: LaunchOffer) => void): unknown;
  on(event: 'cancelled', listener: (sessionId: string) => void): unknown;
  on(event: 'online', listener: () => void): unknown;
  on(event: 'offline', listener: (reason: string) => void): unknown;
  on(event: 'revoked', listener: (message: string) => void): unknown;
  start(): void;
  stop(): void;
}

/** Options of `PendingLaunch`. */
export interface PendingLaunchOptions {
  source: LaunchSource;
  /** Called whenever the offer appears or goes away. */
  onChange: () => void;
  /** Called with each new offer (e.g. to open the window). */
  onOffer?: ((offer: LaunchOffer) => void) | undefined;
  /** The device's enrollment was revoked (`message`: the server's words); the source has stopped. */
  onRevoked?: ((message: string) => void) | undefined;
  now?: (() => number) | undefined;
}

/** The one offer waiting for an answer, if any. */
export class PendingLaunch {
  readonly #o: PendingLaunchOptions;
  readonly #now: () => number;
  #offer: LaunchOffer | null = null;
  #timer: NodeJS.Timeout | undefined;
  /** Stopped (shut down, or the enrollment was revoked): no offer is taken. */
  #stopped = false;

  constructor(options: PendingLaunchOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    options.source.on('launch', (offer) => this.#set(offer));
    options.source.on('cancelled', (sessionId) => this.clear(sessionId));
    options.source.on('revoked', (message) => {
      this.stop();
      options.onChange();
      options.onRevoked?.(message);
    });
  }

  /** The pending offer; an expired one is dropped. */
  get offer(): LaunchOffer | null {
    if (this.#offer && this.#expired(this.#offer)) {
      this.#offer = null;
      clearTimeout(this.#timer);
    }
    return this.#offer;
  }

  /** Connects to the server (the source reconnects by itself). */
  start(): void {
    this.#stopped = false;
    this.#o.source.start();
  }

  /** Disconnects and forgets the offer (once: again, nothing happens). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#o.source.stop();
    clearTimeout(this.#timer);
    this.#offer = null;
  }

  /** Forgets the offer (only the one for `sessionId` when given). */
  clear(sessionId?: string): void {
    if (!this.#offer || (sessionId !== undefined && this.#offer.sessionId !== sessionId)) return;
    this.#offer = null;
    clearTimeout(this.#timer);
    this.#o.onChange();
  }

  #set(offer: LaunchOffer): void {
    if (this.#stopped || this.#expired(offer)) return;
    this.#offer = offer;
    clearTimeout(this.#timer);
    const left = Date.parse(offer.expiresAt) - this.#now();
    // Drop it from the window when it expires, even if nothing else changes.
    this.#timer = setTimeout(() => this.clear(offer.sessionId), Math.min(left + 10, 2 ** 31 - 1));
    this.#timer.unref();
    this.#o.onOffer?.(offer);
    this.#o.onChange();
  }

  #expired(offer: LaunchOffer): boolean {
    const at = Date.parse(offer.expiresAt);
    return Number.isNaN(at) || at <= this.#now();
  }
}

/** How the agent takes part in remote launch (all optional: no device, no launch). */
export interface DeviceLaunchOptions {
  /** The enrolled device: when set, helpers can start a session on it (remote launch). */
  device?: DeviceIdentity | undefined;
  /** Called with each new launch offer (e.g. to open the window). */
  onLaunch?: ((offer: LaunchOffer) => void) | undefined;
  /** The launch connection (default: `LaunchListener`; fakes in tests). */
  launchSource?: ((device: DeviceIdentity) => LaunchSource) | undefined;
  /** Answers a launch (default: `answerLaunch`; fakes in tests). */
  answerLaunch?: typeof answerLaunch | undefined;
  now?: (() => number) | undefined;
}

/** The pending launch of an enrolled device (null when `device` is not set). */
export function launchFor(
  options: DeviceLaunchOptions,
  onChange: () => void,
  onRevoked?: (message: string) => void,
): PendingLaunch | null {
  const device = options.device;
  if (!device) return null;
  const source = (options.launchSource ?? ((d) => new LaunchListener(d)))(device);
  return new PendingLaunch({ source, onChange, onOffer: options.onLaunch, onRevoked, now: options.now });
}

/** What `answerOffer` needs. */
export interface AnswerOfferOptions {
  offer: LaunchOffer;
  accept: boolean;
  device: DeviceIdentity;
  signedIn: boolean;
  credentials: Pick<Credentials, 'accessToken'>;
  sharing: SharingSession | null;
  pending: PendingLaunch | null;
  answerLaunch?: typeof answerLaunch | undefined;
  log?: ((message: string) => void) | undefined;
}

/**
 * Accepts the offer (joins as the sharer, then `sharing` follows the session like a
 * redeemed one) or dismisses it. The offer is gone afterwards either way.
 */
export async function answerOffer(o: AnswerOfferOptions): Promise<void> {
  const answer = o.answerLaunch ?? answerLaunch;
  const id = o.offer.sessionId;
  if (!o.accept) {
    o.pending?.clear(id);
    if (!o.signedIn) return; // nobody to answer as: the server lets it expire
    await answer(o.device, await o.credentials.accessToken(), id, false).catch((error: unknown) =>
      o.log?.(`Could not dismiss the launch: ${String(error)}`),
    );
    return;
  }
  try {
    const view = await answer(o.device, await o.credentials.accessToken(), id, true);
    if (!view || !o.sharing) return;
    o.sharing.reset();
    o.sharing.adopt(view);
  } finally {
    o.pending?.clear(id);
  }
}
