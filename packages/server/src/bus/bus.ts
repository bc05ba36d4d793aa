/**
 * @module bus/bus
 * Publish/subscribe between the parts of the server (and, in scale-out, between nodes).
 * The embedded default delivers in process; a Redis implementation of the same
 * interface lets a helper on node A and a sharer on node B meet.
 */
import { EventEmitter } from 'node:events';

export type BusHandler = (message: unknown) => void;

export interface Bus {
  publish(topic: string, message: unknown): Promise<void>;
  /** Returns a function that removes the subscription. */
  subscribe(topic: string, handler: BusHandler): () => void;
  close(): Promise<void>;
  /** Resolves when the bus answers (Redis: PING), rejects otherwise; `/readyz` calls it. Absent: always reachable. */
  ping?(): Promise<void>;
  /**
   * True when what is published also reaches other nodes (Redis): publishers then add what saves
   * those nodes a read (a session change carries its row and people). Absent: this process only.
   */
  readonly crossesNodes?: boolean;
}

/**
 * Delivers messages to subscribers of the same process, asynchronously, in order. A handler that
 * throws is logged and the others still get the message, as on the Redis bus: nothing a
 * subscriber does can end the process from a later tick.
 */
export class InProcessBus implements Bus {
  private readonly emitter = new EventEmitter();
  /** Where a failing handler is logged (set once the server's logger exists). */
  log: { warn(details: object, message: string): void } | undefined;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    // Deliver on a later tick so publishers never run subscriber code inside their transaction.
    queueMicrotask(() => {
      for (const handler of this.emitter.listeners(topic) as BusHandler[]) {
        try {
          handler(message);
        } catch (error) {
          this.log?.warn({ err: error, topic }, 'a bus handler failed');
        }
      }
    });
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    this.emitter.on(topic, handler);
    return () => this.emitter.off(topic, handler);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
