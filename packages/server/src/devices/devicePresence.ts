/**
 * @module devices/devicePresence
 * Which devices hold a launch connection (`/api/v1/devices/ws`), on any node. This node
 * counts its own connections per device and tells the shared {@link PresenceDirectory}
 * when a device starts or stops being connected here; a helper on another node asks the
 * directory. A node that dies loses its devices from the directory with its heartbeat.
 */
import type { PresenceDirectory } from '../bus/presenceDirectory.js';
import { MemoryPresenceDirectory } from '../bus/presenceDirectory.js';

const keyOf = (id: string): string => `d:${id}`;

export class DevicePresence {
  private readonly counts = new Map<string, number>();

  constructor(private readonly directory: PresenceDirectory = new MemoryPresenceDirectory()) {}

  /** Whether the device is connected to any node (what this node knows if the directory cannot answer). */
  async isOnline(id: string): Promise<boolean> {
    if (this.counts.has(id)) return true;
    return this.directory.has(keyOf(id)).catch(() => false);
  }

  /** Which of `ids` are connected to any node, in one round trip. */
  async onlineOf(ids: readonly string[]): Promise<Set<string>> {
    const answers = await this.directory.hasMany(ids.map(keyOf)).catch(() => ids.map(() => false));
    return new Set(ids.filter((id, i) => this.counts.has(id) || answers[i]));
  }

  join(id: string): void {
    const n = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, n);
    if (n === 1) this.directory.add(keyOf(id));
  }

  leave(id: string): void {
    const n = (this.counts.get(id) ?? 0) - 1;
    if (n > 0) {
      this.counts.set(id, n);
      return;
    }
    this.counts.delete(id);
    this.directory.remove(keyOf(id));
  }
}
