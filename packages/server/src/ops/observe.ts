/**
 * @module ops/observe
 * Feeds {@link Metrics} from the places every event already passes, without the domains
 * knowing: the audit log (session ends, code redemptions: each is audited exactly once)
 * and the bus (chat messages; signaling frames, timed from their arrival on a socket to
 * their send to the other participant, across nodes too, by the `arrivedAt` their envelope carries).
 */
import { performance } from 'node:perf_hooks';
import { AuditLog } from '../audit/audit.js';
import type { AuditEntry, StoredAuditEvent } from '../audit/audit.js';
import type { Bus, BusHandler } from '../bus/bus.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../time.js';
import type { Metrics } from './metrics.js';

/** Wall-clock milliseconds with sub-millisecond precision (comparable across nodes up to clock skew). */
const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * When a frame arrived, taken when the socket hands it over. The signaling relay carries it in
 * the signal's envelope (`arrivedAt`), so the node that delivers the signal can time the relay.
 * It is passed along explicitly, not through an `AsyncLocalStorage`: on Node 20 a store in use
 * turns on promise hooks for every promise of the process, and each store adds its propagation to
 * every promise made (hooks and propagation: ≈ 4 % of a node's busy time setting up sessions).
 * oidc-provider has a store of its own, switched off between the IdP's requests (`identity/idpRequests`).
 */
export const frameArrivalTime = nowMs;

const SIGNAL_TOPIC = /^session:[^:]+:to:(helper|sharer)$/;
const CHAT_TOPIC = /^session:[^:]+:chat$/;
/** The field a published signal envelope carries its arrival time in (ignored by everyone else). */
const STAMP = 'arrivedAt';

/**
 * A {@link Bus} that counts chat messages and times signaling relays (from the arrival stamp of
 * their envelopes), then hands everything to `inner` unchanged. `ping` is passed
 * through when `inner` has one.
 */
export class ObservedBus implements Bus {
  readonly ping?: () => Promise<void>;
  readonly crossesNodes?: boolean;

  constructor(
    private readonly inner: Bus,
    private readonly metrics: Metrics,
  ) {
    if (inner.crossesNodes) this.crossesNodes = true;
    const ping = inner.ping?.bind(inner);
    if (ping) this.ping = ping;
  }

  async publish(topic: string, message: unknown): Promise<void> {
    if (CHAT_TOPIC.test(topic)) this.metrics.chatMessages.inc();
    return this.inner.publish(topic, message);
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    if (!SIGNAL_TOPIC.test(topic)) return this.inner.subscribe(topic, handler);
    return this.inner.subscribe(topic, (message) => {
      handler(message);
      // The handler has written the frame to the other side's sockets (synchronously).
      const arrivedAt = (message as Record<string, unknown> | null)?.[STAMP];
      if (typeof arrivedAt === 'number') this.metrics.signalRelay.observe(Math.max(0, nowMs() - arrivedAt) / 1000);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The audit log, counting session ends and code redemptions once they are written. */
export class ObservedAuditLog extends AuditLog {
  constructor(
    db: Db,
    clock: Clock,
    private readonly metrics: Metrics,
    emit?: (event: StoredAuditEvent) => void,
  ) {
    super(db, clock, emit);
  }

  override async record(entry: AuditEntry, db?: Db): Promise<void> {
    await super.record(entry, db);
    const data = entry.data ?? {};
    // Any transition into `ended` (an end, a decline, an expiry), once: the write that made it.
    if (entry.action.startsWith('session.') && data.to === 'ended' && data.from !== 'ended')
      this.metrics.sessionEnded(typeof data.endReason === 'string' ? data.endReason : null);
    switch (entry.action) {
      case 'session.redeem':
        this.metrics.redeemed();
        return;
      case 'session.code_rejected':
        this.metrics.redeemFailed(typeof data.reason === 'string' ? data.reason : null);
        return;
      case 'session.join_refused':
        this.metrics.redeemFailed(typeof data.reason === 'string' ? data.reason : 'refused');
        return;
    }
  }
}
