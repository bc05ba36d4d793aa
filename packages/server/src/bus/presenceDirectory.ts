/**
 * @module bus/presenceDirectory
 * Which connections exist anywhere in the service, by key (`s:<session>:<role>` for a side
 * of a session, `d:<device>` for a device's launch connection). Each node counts its own
 * connections (`sessions/presence`, `devices/devicePresence`) and tells the directory only
 * when a key starts or stops being held on this node; asking the directory answers for
 * every node. In process (the embedded default) that is this node's own set; with Redis it
 * is every node's, and a node that stops heartbeating loses its keys (`redisPresence`).
 */

/** What the directory tells a node about keys it did not change itself. */
export interface PresenceEvents {
  /** Keys nobody holds any more because the node that held them is gone. */
  lost(keys: string[]): void;
  /** Keys this node held were written again (after Redis lost them or this node was given up for dead). */
  restored(keys: string[]): void;
}

export interface PresenceDirectory {
  /** This node now holds `key` (its first connection for it). */
  add(key: string): void;
  /** This node no longer holds `key` (its last connection for it closed). */
  remove(key: string): void;
  /** Whether any node holds `key`. */
  has(key: string): Promise<boolean>;
  /** {@link has} for many keys in one round trip. */
  hasMany(keys: readonly string[]): Promise<boolean[]>;
  /** Listens for events about keys that start with `prefix`; returns the way to stop. */
  listen(prefix: string, events: PresenceEvents): () => void;
  close(): Promise<void>;
}

/** One node: the keys it holds are all there is; no node can be lost but this one. */
export class MemoryPresenceDirectory implements PresenceDirectory {
  private readonly keys = new Set<string>();
  add(key: string): void {
    this.keys.add(key);
  }
  remove(key: string): void {
    this.keys.delete(key);
  }
  async has(key: string): Promise<boolean> {
    return this.keys.has(key);
  }
  async hasMany(keys: readonly string[]): Promise<boolean[]> {
    return keys.map((key) => this.keys.has(key));
  }
  listen(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {
    this.keys.clear();
  }
}

/** Sends directory events to the listeners whose prefix matches. */
export class PresenceListeners {
  private readonly entries = new Set<{ prefix: string; events: PresenceEvents }>();

  add(prefix: string, events: PresenceEvents): () => void {
    const entry = { prefix, events };
    this.entries.add(entry);
    return () => this.entries.delete(entry);
  }

  emit(kind: keyof PresenceEvents, keys: readonly string[]): void {
    for (const { prefix, events } of this.entries) {
      const mine = keys.filter((key) => key.startsWith(prefix));
      if (mine.length) events[kind](mine);
    }
  }
}
