/**
 * @module sessionIce
 * The web apps' side of the protocol's {@link SessionIce}: one per session for as long as
 * the app shows it, asking on the signaling client when made and after every (re)attach,
 * and taking the `ice.servers` answers for its session. The helper's and the sharer's peers
 * are configured from it (the `hello` servers stand in until the first answer).
 */
import { useEffect, useState } from 'react';
import { SessionIce } from '@remote-help/protocol';
import type { SignalingClient } from './SignalingClient';

/** A {@link SessionIce} fed by a {@link SignalingClient}. */
export class SignalingSessionIce extends SessionIce {
  private readonly offs: (() => void)[];

  constructor(signaling: SignalingClient, sessionId: string) {
    super(sessionId, {
      request: () => signaling.send({ type: 'ice.servers', sessionId }),
      fallback: () => signaling.iceServers,
      schedule: (run, ms) => {
        const timer = window.setTimeout(run, ms);
        return () => window.clearTimeout(timer);
      },
      now: () => Date.now(),
    });
    this.offs = [
      signaling.on('ice', (answer) => {
        if (answer.sessionId === sessionId) this.receive(answer);
      }),
      // A new socket: the same credentials still work, but this is a cheap moment to renew them.
      signaling.on('attached', (attached) => {
        if (attached.sessionId === sessionId) this.ask();
      }),
      // An ended session has no servers (the server would refuse with `session_ended`).
      signaling.on('session', (session) => {
        if (session.id === sessionId && session.state === 'ended') this.close();
      }),
    ];
    // Idempotent when the app attached already; otherwise the attach goes out first, and the
    // server handles one socket's frames in order.
    signaling.attach(sessionId);
    this.ask();
  }

  override close(): void {
    for (const off of this.offs.splice(0)) off();
    super.close();
  }
}

/** The session's ICE servers while `sessionId` is set (null before, and for one render after it is). */
export function useSessionIce(signaling: SignalingClient, sessionId: string | null): SessionIce | null {
  const [ice, setIce] = useState<SessionIce | null>(null);
  useEffect(() => {
    if (!sessionId) return;
    const next = new SignalingSessionIce(signaling, sessionId);
    setIce(next);
    return () => {
      next.close();
      setIce(null);
    };
  }, [signaling, sessionId]);
  return ice;
}
