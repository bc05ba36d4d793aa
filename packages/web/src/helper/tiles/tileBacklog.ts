/**
 * @module tileBacklog
 * What arrives on a `tiles` channel before the view listens. The native agent connects
 * while the sharer reads the request (ADR 0023) and sends its first picture the moment
 * Allow starts capture, while the helper app is still mounting the remote view: without a
 * listener those messages would be lost and the view would have to ask for the whole
 * picture again (a round trip and a second full-screen encode). `keepTileBacklog` starts
 * keeping them as soon as the channel opens; the view `takeTileBacklog`s them once and
 * paints them before the live ones. Bounded: past {@link MAX_BACKLOG_BYTES} the backlog is
 * given up (`overflowed`) and the view asks for the picture as before. It also sends the
 * viewer's hello (`packTileHello`) once the channel is open, so that the agent encodes even
 * its first picture for what the view reads (deflated messages, parity).
 */
import { packTileHello } from '@remote-help/protocol';

/** Bytes kept at most (a 1080p screen of raw deflate tiles is a few MiB). */
export const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

interface Backlog {
  messages: ArrayBuffer[];
  bytes: number;
  overflowed: boolean;
  stop: () => void;
}

const backlogs = new WeakMap<RTCDataChannel, Backlog>();

/** Starts keeping the binary messages of `channel` until the view takes them. */
export function keepTileBacklog(channel: RTCDataChannel): void {
  if (backlogs.has(channel)) return;
  channel.binaryType = 'arraybuffer';
  const backlog: Backlog = { messages: [], bytes: 0, overflowed: false, stop: () => undefined };
  const onMessage = (event: MessageEvent<unknown>) => {
    if (!(event.data instanceof ArrayBuffer) || backlog.overflowed) return;
    backlog.bytes += event.data.byteLength;
    if (backlog.bytes > MAX_BACKLOG_BYTES) {
      backlog.overflowed = true;
      backlog.messages = [];
      return;
    }
    backlog.messages.push(event.data);
  };
  channel.addEventListener('message', onMessage);
  backlog.stop = () => channel.removeEventListener('message', onMessage);
  backlogs.set(channel, backlog);
  const hello = () => {
    try {
      channel.send(packTileHello());
    } catch {
      // Closed meanwhile: nothing to tell the agent.
    }
  };
  if (channel.readyState === 'open') hello();
  else channel.addEventListener('open', hello, { once: true });
}

/**
 * Stops keeping and returns what was kept (oldest first), and whether some was given up;
 * null if the channel had no backlog or it was taken already.
 */
export function takeTileBacklog(channel: RTCDataChannel): { messages: ArrayBuffer[]; overflowed: boolean } | null {
  const backlog = backlogs.get(channel);
  if (!backlog) return null;
  backlogs.delete(channel);
  backlog.stop();
  return { messages: backlog.messages, overflowed: backlog.overflowed };
}
