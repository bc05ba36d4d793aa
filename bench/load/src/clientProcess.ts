/** The orchestrator's end of a client process (`worker.ts`): typed requests, answers by type. */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromClient, ToClient } from './messages.js';
import { FromClient as FromClientSchema } from './messages.js';

/** A client process and a queue of its answers by type. */
export class ClientProcess {
  private readonly waiting = new Map<string, ((m: FromClient) => void)[]>();
  private readonly early = new Map<string, FromClient[]>();
  progress = { live: 0, failed: 0 };

  constructor(readonly child: ChildProcess) {
    child.on('message', (raw) => {
      const parsed = FromClientSchema.safeParse(raw);
      if (!parsed.success) {
        console.error(`client ${child.pid}: malformed message dropped: ${parsed.error.message.slice(0, 200)}`);
        return;
      }
      const m = parsed.data;
      if (m.type === 'progress') {
        this.progress = { live: m.live, failed: m.failed };
        return;
      }
      if (m.type === 'fatal') console.error(`client ${child.pid}: ${m.message}`);
      const list = this.waiting.get(m.type);
      const next = list?.shift();
      if (next) next(m);
      else this.early.set(m.type, [...(this.early.get(m.type) ?? []), m]);
    });
  }

  /** Forks `worker.ts` through tsx in its own process group. */
  static start(): ClientProcess {
    const child = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    return new ClientProcess(child);
  }

  send(m: ToClient): void {
    this.child.send(m);
  }

  next<T extends FromClient['type']>(type: T, timeoutMs: number): Promise<Extract<FromClient, { type: T }>> {
    const early = this.early.get(type)?.shift();
    if (early) return Promise.resolve(early as Extract<FromClient, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client ${this.child.pid}: no ${type} in time`)), timeoutMs);
      const list = this.waiting.get(type) ?? [];
      list.push((m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromClient, { type: T }>);
      });
      this.waiting.set(type, list);
    });
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
