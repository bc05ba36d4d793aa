/**
 * @module ws/rawPings
 * Answers the web app's once-a-beat `{"type":"ping"}` from the TCP chunk it arrives in, before
 * `ws` sees it. A browser writes each frame in its own segment, so an idle page's ping is one
 * 21-byte chunk: FIN + text, the mask bit and length 15, four mask bytes, the masked text.
 *
 * Through `ws` the same ping is written into the socket's `Receiver` (a Writable: a chunk array,
 * the write state's callbacks and tick info, the payload and its fragments array) and emitted
 * as a message. Every one of those objects is young and stored in the socket's old ones, and
 * the scavenger walks every such slot: at 9,800 live sessions (19,600 sockets, 9,800 pings a
 * second) the scavenges of an idle hold kept ≈ 30 KB each but took 5–40 ms, most of it the
 * remembered set (`--trace-gc-nvp`: `scavenge.parallel`, `scavenge.free_remembered_set`), and
 * every relayed signal that arrived meanwhile waited (`npm run bench:load`, docs/bench.md).
 *
 * Only a chunk that is exactly one such frame, arriving while the receiver is between frames
 * with nothing buffered or queued, is taken here; anything else (a ping split across chunks,
 * coalesced with other frames, compressed, with an id, or arriving while the socket closes)
 * goes to `ws` as before. Installed per socket; does nothing if `ws` stops having the shape
 * it expects.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

const PING = Buffer.from('{"type":"ping"}');
/** FIN + opcode 1 (text), no RSV bits (not compressed). */
const FIN_TEXT = 0x81;
const MASKED_PING_LENGTH = 0x80 | PING.length;
const CHUNK_LENGTH = 2 + 4 + PING.length;

interface ReceiverInternals {
  _state?: unknown;
  _bufferedBytes?: unknown;
  _fragmented?: unknown;
  _writableState?: { length?: unknown; writing?: unknown };
}

/** Whether `chunk` is exactly one masked, uncompressed text frame carrying `{"type":"ping"}`. */
export function isRawPing(chunk: Buffer): boolean {
  if (chunk.length !== CHUNK_LENGTH || chunk[0] !== FIN_TEXT || chunk[1] !== MASKED_PING_LENGTH) return false;
  for (let i = 0; i < PING.length; i++) {
    if (((chunk[6 + i] as number) ^ (chunk[2 + (i & 3)] as number)) !== PING[i]) return false;
  }
  return true;
}

/** The receiver is between frames: no partial frame buffered, no message being assembled, no write queued. */
function idle(receiver: ReceiverInternals): boolean {
  const state = receiver._writableState;
  return (
    receiver._state === 0 &&
    receiver._bufferedBytes === 0 &&
    receiver._fragmented === 0 &&
    state?.length === 0 &&
    state.writing === false
  );
}

/**
 * Puts `answer` in front of `ws`'s reading of `tcp`: a chunk that is one bare ping, read while
 * the receiver is idle and `socket` open, goes to `answer` instead of `ws`; `answer` returning
 * false (the connection's rate limit) hands it to `ws` after all. False (and nothing changed)
 * when `ws`'s listener or receiver is not where this expects them.
 */
export function answerRawPings(tcp: Socket, socket: WebSocket, answer: () => boolean): boolean {
  const receiver = (socket as unknown as { _receiver?: ReceiverInternals })._receiver;
  const listeners = tcp.listeners('data');
  const wsOnData = listeners.find((l) => l.name === 'socketOnData') as ((chunk: Buffer) => void) | undefined;
  if (!receiver || !wsOnData || typeof receiver._state !== 'number' || !receiver._writableState) return false;
  const onData = function onData(this: Socket, chunk: Buffer): void {
    if (socket.readyState === socket.OPEN && isRawPing(chunk) && idle(receiver) && answer()) return;
    wsOnData.call(this, chunk);
  };
  // `ws` stops reading by removing its own listener (closing, a receiver error): as for `once`,
  // an emitter removes a wrapper whose `listener` is the function named.
  (onData as typeof onData & { listener: unknown }).listener = wsOnData;
  tcp.removeListener('data', wsOnData);
  tcp.on('data', onData);
  return true;
}
