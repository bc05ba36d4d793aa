/**
 * @module sessions/signaling
 * The session side of the WebSocket: attach to a session you take part in (and so be
 * present in it), receive its updates, and relay WebRTC signaling to the other
 * participant only. Every step re-checks participation on the server.
 */
import type { ClientMessage, Role, SignalPayload } from '@remote-help/protocol';
import type { Bus } from '../bus/bus.js';
import { AppError, errors } from '../errors.js';
import type { Connection } from '../ws/connection.js';
import { roleIn } from './policy.js';
import type { Presence } from './presence.js';
import type { SessionService } from './service.js';
import { sessionTopic } from './service.js';

/** Bus topic carrying signaling payloads addressed to one side of a session. */
export const signalTopic = (id: string, to: Role): string => `session:${id}:to:${to}`;

interface SignalEnvelope {
  from: Role;
  payload: SignalPayload;
}

export class SessionChannel {
  constructor(
    private readonly service: SessionService,
    private readonly bus: Bus,
    private readonly presence: Presence,
  ) {}

  async handle(conn: Connection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'attach':
        return this.attach(conn, message.sessionId);
      case 'detach':
        conn.attachments.get(message.sessionId)?.();
        conn.attachments.delete(message.sessionId);
        return;
      case 'signal':
        return this.signal(conn, message.sessionId, message.payload);
      case 'ping':
        conn.send({ type: 'pong', ...(message.id ? { id: message.id } : {}) });
        return;
    }
  }

  private async attach(conn: Connection, sessionId: string): Promise<void> {
    if (conn.attachments.has(sessionId)) {
      conn.send({ type: 'attached', sessionId });
      return this.pushView(conn, sessionId);
    }
    if (conn.attachments.size >= 8) throw new AppError('bad_request', 'Too many sessions on one connection.');
    const row = await this.service.load(conn.principal, sessionId);
    const role = roleIn(row, conn.principal);
    const other: Role = role === 'helper' ? 'sharer' : 'helper';

    const offChanges = this.bus.subscribe(sessionTopic(sessionId), () => this.pushView(conn, sessionId));
    const offSignals = this.bus.subscribe(signalTopic(sessionId, role), (message) => {
      const { from, payload } = message as SignalEnvelope;
      if (from === other) conn.send({ type: 'signal', sessionId, from, payload });
    });
    const live = row.state !== 'ended';
    if (live) this.presence.join(sessionId, role);
    conn.attachments.set(sessionId, () => {
      offChanges();
      offSignals();
      if (live) this.presence.leave(sessionId, role);
    });
    conn.send({ type: 'attached', sessionId });
    this.pushView(conn, sessionId);
  }

  /** Sends the current view of a session, in order with earlier pushes on this connection. */
  private pushView(conn: Connection, sessionId: string): void {
    conn.enqueue(
      sessionId,
      async () => {
        const row = await this.service.load(conn.principal, sessionId);
        conn.send({ type: 'session', session: await this.service.present(row, roleIn(row, conn.principal)) });
      },
      () => conn.sendError('internal_error', 'Could not load the session.'),
    );
  }

  private async signal(conn: Connection, sessionId: string, payload: SignalPayload): Promise<void> {
    if (!conn.attachments.has(sessionId)) throw new AppError('bad_request', 'Attach to the session before signaling.');
    const row = await this.service.load(conn.principal, sessionId);
    const role = roleIn(row, conn.principal);
    if (row.state === 'ended') throw errors.sessionEnded();
    if (row.state !== 'active') throw errors.invalidTransition('Media can flow only after the sharer allows it.');
    const to: Role = role === 'helper' ? 'sharer' : 'helper';
    const envelope: SignalEnvelope = { from: role, payload };
    await this.bus.publish(signalTopic(sessionId, to), envelope);
  }
}
