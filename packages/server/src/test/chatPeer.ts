/**
 * @module test/chatPeer
 * A chat participant for tests that behaves as the apps do: it attaches, resumes the thread
 * from the last contiguous `seq` it holds, re-sends what was never acknowledged (the same
 * `clientId`, so the server stores it once), keeps a window of unacknowledged sends, and
 * backs off when the server says `rate_limited`. {@link ChatPeer.drop} cuts its socket the
 * hard way (no close handshake) and connects again.
 */
import type { ChatMessage, ServerMessage } from '@remote-help/protocol';
import type { Client, TestSocket } from './harness.js';

/** Unacknowledged sends on the wire at once. */
const WINDOW = 16;

export class ChatPeer {
  /** Every message seen, by `seq`. */
  readonly thread = new Map<number, ChatMessage>();
  /** Sends not yet acknowledged, in the order they were made: clientId → text. */
  readonly pending = new Map<string, string>();
  /** Duplicate deliveries of a `seq` (counted, not stored twice). */
  duplicates = 0;
  /** Sends of a clientId that had been sent before (after a drop or back-pressure). */
  resends = 0;
  private readonly everSent = new Set<string>();
  /** Error frames received that were not back-pressure. */
  readonly errors: Extract<ServerMessage, { type: 'error' }>[] = [];
  private socket: TestSocket | null = null;
  private inFlight = new Set<string>();
  private next = 1;
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Client,
    private readonly sessionId: string,
    /** Prefix of this peer's client ids. */
    private readonly name: string,
  ) {}

  /** The highest `n` such that messages 1…n are all held. */
  get contiguous(): number {
    let n = 0;
    while (this.thread.has(n + 1)) n++;
    return n;
  }

  /** The thread in `seq` order. */
  get ordered(): ChatMessage[] {
    return [...this.thread.values()].sort((a, b) => a.seq - b.seq);
  }

  async connect(): Promise<void> {
    const socket = await this.client.socket();
    this.socket = socket;
    this.inFlight = new Set();
    socket.ws.on('message', (data) => {
      if (this.socket === socket) this.receive(JSON.parse(String(data)) as ServerMessage);
    });
    const since = socket.received.length;
    socket.send({ type: 'attach', sessionId: this.sessionId });
    await socket.next((m) => m.type === 'attached', 5000, since);
    this.resume();
    this.pump();
  }

  /** Cuts the socket without a close handshake (a dropped network), then connects again. */
  async drop(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    socket?.ws.terminate();
    await this.connect();
  }

  close(): void {
    clearTimeout(this.resumeTimer);
    this.socket?.close();
    this.socket = null;
  }

  /** Queues a message; it leaves as soon as the window allows. */
  send(text: string): string {
    const clientId = `${this.name}-${String(this.next++).padStart(6, '0')}`;
    this.pending.set(clientId, text);
    this.pump();
    return clientId;
  }

  private resume(): void {
    this.socket?.send({ type: 'chat.resume', sessionId: this.sessionId, afterSeq: this.contiguous });
  }

  private pump(): void {
    const socket = this.socket;
    if (!socket || Date.now() < this.pausedUntil) return;
    for (const [clientId, text] of this.pending) {
      if (this.inFlight.size >= WINDOW) return;
      if (this.inFlight.has(clientId)) continue;
      this.inFlight.add(clientId);
      if (this.everSent.has(clientId)) this.resends++;
      this.everSent.add(clientId);
      socket.send({ type: 'chat.send', sessionId: this.sessionId, clientId, text });
    }
  }

  private hold(message: ChatMessage): void {
    if (this.thread.has(message.seq)) this.duplicates++;
    else this.thread.set(message.seq, message);
    if (this.pending.has(message.clientId) && message.clientId.startsWith(`${this.name}-`)) {
      this.pending.delete(message.clientId);
      this.inFlight.delete(message.clientId);
    }
  }

  private receive(m: ServerMessage): void {
    if (m.type === 'chat.message') {
      const gap = m.message.seq > this.contiguous + 1;
      this.hold(m.message);
      // A message overtook one this side has not seen (or missed while away): ask for the rest.
      if (gap) this.resume();
      this.pump();
    } else if (m.type === 'chat.history') {
      for (const message of m.messages) this.hold(message);
      if (m.more) this.resume();
      this.pump();
    } else if (m.type === 'error') {
      if (m.error !== 'rate_limited') {
        this.errors.push(m);
        return;
      }
      // Back-pressure: what was on the wire may not have been taken; send it again after the wait.
      const seconds = Number(m.data?.['retryAfterSeconds'] ?? 1);
      this.pausedUntil = Date.now() + seconds * 1000;
      this.inFlight.clear();
      clearTimeout(this.resumeTimer);
      this.resumeTimer = setTimeout(() => this.pump(), seconds * 1000 + 10);
    }
  }
}

/** Polls `done` until it holds (for work whose end is an event many frames away). */
export async function until(done: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > limitMs) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
