/**
 * @module session/sessionIce
 * The agent's side of the protocol's {@link SessionIce}: one per screen share, asking the
 * server for the session's ICE servers when made and after every re-attach, taking the
 * `ice` answers for its session, and closing itself when the session ends. Until an answer
 * comes, the `hello` servers stand in.
 */
import { SessionIce, type IceServer, type ServerMessage, type SessionView } from '@remote-help/protocol';

type IceFrame = Extract<ServerMessage, { type: 'ice.servers' }>;

/** The part of `SignalingClient` this needs. */
export interface IceSignaling {
  readonly iceServers: IceServer[];
  requestIceServers(sessionId: string): boolean;
  on(event: 'ice', listener: (frame: IceFrame) => void): unknown;
  on(event: 'attached', listener: (sessionId: string) => void): unknown;
  on(event: 'session', listener: (session: SessionView) => void): unknown;
  off(event: 'ice' | 'attached' | 'session', listener: (...args: never[]) => void): unknown;
}

/** A {@link SessionIce} fed by the agent's signaling client. */
export class SignalingSessionIce extends SessionIce {
  readonly #signaling: IceSignaling;
  readonly #onIce = (frame: IceFrame): void => {
    if (frame.sessionId === this.sessionId) this.receive(frame);
  };
  readonly #onAttached = (sessionId: string): void => {
    if (sessionId === this.sessionId) this.ask();
  };
  readonly #onSession = (session: SessionView): void => {
    if (session.id === this.sessionId && session.state === 'ended') this.close();
  };

  constructor(signaling: IceSignaling, sessionId: string) {
    super(sessionId, {
      request: () => void signaling.requestIceServers(sessionId),
      fallback: () => signaling.iceServers,
      schedule: (run, ms) => {
        const timer = setTimeout(run, ms);
        timer.unref();
        return () => clearTimeout(timer);
      },
      now: () => Date.now(),
    });
    this.#signaling = signaling;
    signaling.on('ice', this.#onIce);
    signaling.on('attached', this.#onAttached);
    signaling.on('session', this.#onSession);
    this.ask();
  }

  override close(): void {
    this.#signaling.off('ice', this.#onIce);
    this.#signaling.off('attached', this.#onAttached);
    this.#signaling.off('session', this.#onSession);
    super.close();
  }
}
