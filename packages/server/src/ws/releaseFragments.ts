/**
 * @module ws/releaseFragments
 * Lets each received WebSocket message die young. `ws` (8.x) collects a message's frames in an
 * array it keeps on the socket's `Receiver` until the message is complete, then gives the
 * socket a fresh empty array and emits the message. The fresh array lives until the socket's
 * next message: on an idle web client that is a heartbeat beat (2 s), long enough for V8 to
 * promote it to the old generation. The next message's data is pushed into that old array, so
 * the scavenger treats it as reachable until a full collection: the payload, the read
 * chunk's ArrayBuffer and the array's new backing store were all promoted, once per message.
 *
 * Measured with `npm run bench:load` (4,000 sessions, 8,000 sockets pinging once a beat,
 * 2026-12-03): the old generation grew ≈ 1.1 MiB/s during an idle hold and a full collection
 * came every 25–30 s, each one a long turn of the event loop that every relayed signal waited
 * behind (at 9,800 sessions up to half a second). A sampling heap profile of what survived
 * the scavenges put three quarters of it under `Receiver#startLoop`/`dataMessage` and the
 * native ArrayBuffers of socket reads. With the array emptied once its message is out, the
 * heap stays flat between scavenges.
 *
 * So the completed message's array is emptied right after `dataMessage` has taken its data
 * out (a Buffer, an ArrayBuffer or a Blob, all of which no longer need the array), except
 * for `binaryType = 'fragments'`, whose message is the array itself; and it is given back to
 * the receiver in place of the fresh one, which then dies young too (one array per socket for
 * its whole life instead of one promoted array per message: what was left after the emptying,
 * ≈ 30 B a message, was that array). The wrap is installed once per process and does nothing
 * if `ws` stops having the shape it expects.
 */
import * as ws from 'ws';

interface ReceiverInternals {
  _fragments?: unknown;
  _binaryType?: string;
}
type DataMessage = (this: ReceiverInternals, cb: unknown) => unknown;
interface ReceiverPrototype {
  dataMessage?: DataMessage;
  [RELEASED]?: true;
}

const RELEASED = Symbol.for('remote-help.ws.releaseFragments');

/** Installs the wrap on `ws`'s `Receiver` (idempotent); false when `ws` has no such method. */
export function releaseMessageFragments(): boolean {
  const Receiver = (ws as unknown as { Receiver?: { prototype: ReceiverPrototype } }).Receiver;
  const proto = Receiver?.prototype;
  const original = proto?.dataMessage;
  if (!proto || typeof original !== 'function') return false;
  if (proto[RELEASED]) return true;
  proto.dataMessage = function dataMessage(this: ReceiverInternals, cb: unknown): unknown {
    const fragments = this._fragments;
    const result = original.call(this, cb);
    // Swapped for a fresh array: the message is complete and its data taken out of `fragments`.
    const fresh = this._fragments;
    if (fragments !== fresh && Array.isArray(fragments) && this._binaryType !== 'fragments') {
      fragments.length = 0;
      if (Array.isArray(fresh) && fresh.length === 0) this._fragments = fragments;
    }
    return result;
  };
  proto[RELEASED] = true;
  return true;
}
