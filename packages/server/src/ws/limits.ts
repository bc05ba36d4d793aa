/**
 * @module ws/limits
 * How many WebSockets one user and one source address may hold on this node. A socket
 * past a cap is refused with {@link WS_RATE_LIMITED_CLOSE} after a `rate_limited` error
 * frame, so one account (or one script behind one address) cannot take the node's
 * event loop from everyone else.
 */
import { addressKey } from '../ratelimit/address.js';
import { TokenBucket } from './connection.js';

/** Close code for a socket refused by a cap (4000 + the HTTP status of `rate_limited`). */
export const WS_RATE_LIMITED_CLOSE = 4429;

export interface SocketLimitOptions {
  /** Open sockets per user (tabs, the agent and a few reloads in flight). */
  perUser: number;
  /** Open sockets per source address (an office behind one NAT). */
  perAddress: number;
  /** Connections of one user attached to one session. */
  attachmentsPerUserPerSession: number;
  /** Frames per second one user may send across all their sockets (burst = 4 s worth). */
  userFramesPerSecond: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimitOptions = {
  perUser: 16,
  perAddress: 64,
  attachmentsPerUserPerSession: 4,
  userFramesPerSecond: 100,
};

/**
 * Counts open sockets per user and per address; `admit` reserves a place, the returned release frees it.
 * Addresses are keyed as every per-address limit is (`ratelimit/address`: an IPv6 address by its /64).
 */
export class SocketLimits {
  private readonly users = new Map<string, { sockets: number; bucket: TokenBucket }>();
  private readonly addresses = new Map<string, number>();

  constructor(readonly options: SocketLimitOptions = DEFAULT_SOCKET_LIMITS) {}

  /** A place for one more socket, or the reason there is none. */
  admit(
    userId: string,
    ip: string,
  ): { ok: true; bucket: TokenBucket; release: () => void } | { ok: false; message: string } {
    const address = addressKey(ip);
    const user = this.users.get(userId) ?? {
      sockets: 0,
      bucket: new TokenBucket({
        capacity: 4 * this.options.userFramesPerSecond,
        perSecond: this.options.userFramesPerSecond,
      }),
    };
    const atAddress = this.addresses.get(address) ?? 0;
    if (user.sockets >= this.options.perUser) {
      return { ok: false, message: `Too many connections for this account (at most ${this.options.perUser}).` };
    }
    if (atAddress >= this.options.perAddress) {
      return { ok: false, message: `Too many connections from this address (at most ${this.options.perAddress}).` };
    }
    user.sockets++;
    this.users.set(userId, user);
    this.addresses.set(address, atAddress + 1);
    let released = false;
    return {
      ok: true,
      bucket: user.bucket,
      release: () => {
        if (released) return;
        released = true;
        if (--user.sockets === 0) this.users.delete(userId);
        const left = (this.addresses.get(address) ?? 1) - 1;
        if (left > 0) this.addresses.set(address, left);
        else this.addresses.delete(address);
      },
    };
  }
}
