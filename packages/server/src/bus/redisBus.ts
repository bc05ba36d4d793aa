/**
 * @module bus/redisBus
 * The {@link Bus} across nodes, over Redis pub/sub. One connection publishes (and carries
 * every other command of this node, so a presence write and the publish that announces it
 * reach Redis in that order), one is in subscriber mode. Each topic is one Redis channel
 * (`<prefix>bus:<topic>`), subscribed while at least one local handler wants it.
 *
 * Messages are JSON envelopes `{ v: 1, m }`, parsed and checked against the topic's schema
 * on receipt (`bus/messages`); bad ones are dropped and logged. Redis delivers one
 * connection's publishes in order, so each topic is ordered. Pub/sub is at most once:
 * messages published while a node's subscriber is reconnecting are lost, so after a
 * reconnect every `session:<id>` subscriber gets a `resync` and reloads what it shows.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Bus, BusHandler } from './bus.js';
import { checkBusMessage } from './messages.js';
import type { RedisLog } from './redisClient.js';
import { openRedis } from './redisClient.js';

/** Largest message the bus carries (a session's SDP is the biggest thing on it). */
export const MAX_BUS_MESSAGE_BYTES = 256 * 1024;

const Envelope = z.object({ v: z.literal(1), m: z.unknown() });

export interface RedisBusOptions {
  url: string;
  /** Start of every channel name (`REDIS_PREFIX`). */
  prefix: string;
  log?: RedisLog;
  /** What a topic's handlers get after a reconnect of the subscriber, if anything. */
  resync?: (topic: string) => unknown;
}

export class RedisBus implements Bus {
  readonly crossesNodes = true;
  /** Publishes, and runs every other command of this node (presence, counters). */
  readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private readonly channelPrefix: string;
  private readyOnce = false;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    this.channelPrefix = `${options.prefix}bus:`;
    // Named for `CLIENT LIST`: which service (prefix) and which role.
    this.commands = openRedis(options.url, `remote-help:${options.prefix}commands`, options.log);
    this.subscriber = openRedis(options.url, `remote-help:${options.prefix}subscriber`, options.log);
    this.subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
    // ioredis subscribes again to every channel on reconnect (autoResubscribe); then tell subscribers to catch up.
    this.subscriber.on('ready', () => {
      if (this.readyOnce) this.resync();
      this.readyOnce = true;
    });
  }

  /**
   * Publishes. What is published follows a change already persisted (or is a signal, which
   * WebRTC repeats), so an unreachable Redis is logged, not thrown into the command that made
   * the change: subscribers reload on `resync` once it is back. After `close` or `halt` the
   * message is dropped, as the in-process bus does.
   */
  async publish(topic: string, message: unknown): Promise<void> {
    if (this.closed) return;
    const text = JSON.stringify({ v: 1, m: message });
    if (Buffer.byteLength(text) > MAX_BUS_MESSAGE_BYTES) throw new Error(`bus message for ${topic} is too large`);
    try {
      await this.commands.publish(this.channelPrefix + topic, text);
    } catch (error) {
      this.failed(error, topic);
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      this.subscriber.subscribe(this.channelPrefix + topic).catch((error: unknown) => this.failed(error, topic));
    }
    // One handler subscribed twice counts twice: wrap it so each subscription removes only itself.
    const entry: BusHandler = (message) => handler(message);
    set.add(entry);
    return () => {
      const current = this.handlers.get(topic);
      if (!current?.delete(entry) || current.size > 0) return;
      this.handlers.delete(topic);
      if (!this.closed)
        this.subscriber.unsubscribe(this.channelPrefix + topic).catch((error: unknown) => this.failed(error, topic));
    };
  }

  /** How many topics this node is subscribed to (tests, diagnostics). */
  get topicCount(): number {
    return this.handlers.size;
  }

  /** Readiness: both connections answer. */
  async ping(): Promise<void> {
    await Promise.all([this.commands.ping(), this.subscriber.ping()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }

  /** Drops both connections without a goodbye and never reconnects (tests: a node that died). */
  halt(): void {
    this.closed = true;
    this.handlers.clear();
    this.commands.disconnect(false);
    this.subscriber.disconnect(false);
  }

  private receive(channel: string, text: string): void {
    if (!channel.startsWith(this.channelPrefix)) return;
    const topic = channel.slice(this.channelPrefix.length);
    const set = this.handlers.get(topic);
    if (!set) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = Envelope.safeParse(json);
    const checked = envelope.success
      ? checkBusMessage(topic, envelope.data.m)
      : { ok: false as const, reason: 'not an envelope' };
    if (!checked.ok) {
      this.options.log?.warn({ topic, reason: checked.reason }, 'dropped a bad bus message');
      return;
    }
    this.deliver(set, checked.message, topic);
  }

  private deliver(set: Set<BusHandler>, message: unknown, topic: string): void {
    for (const handler of [...set]) {
      try {
        handler(message);
      } catch (error) {
        this.options.log?.warn({ err: error, topic }, 'a bus handler failed');
      }
    }
  }

  private resync(): void {
    if (!this.options.resync) return;
    for (const [topic, set] of this.handlers) {
      const message = this.options.resync(topic);
      if (message !== undefined) this.deliver(set, message, topic);
    }
  }

  private failed(error: unknown, topic: string): void {
    if (!this.closed) this.options.log?.warn({ err: error, topic }, 'bus command failed');
  }
}
