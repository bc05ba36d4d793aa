import { parseViewerTileMessage } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { keepTileBacklog, MAX_BACKLOG_BYTES, takeTileBacklog } from './tileBacklog';

type FakeChannel = RTCDataChannel & { deliver(data: unknown): void; open(): void; sent: Uint8Array[] };

/** The part of a data channel the backlog uses: an event target with a `binaryType`, a state and `send`. */
function channel(state: RTCDataChannelState = 'open'): FakeChannel {
  const target = new EventTarget() as FakeChannel;
  let readyState = state;
  Object.defineProperty(target, 'readyState', { get: () => readyState });
  target.sent = [];
  target.send = ((data: Uint8Array) => {
    if (readyState !== 'open') throw new Error('InvalidStateError');
    target.sent.push(data);
  }) as RTCDataChannel['send'];
  target.deliver = (data) => target.dispatchEvent(new MessageEvent('message', { data }));
  target.open = () => {
    readyState = 'open';
    target.dispatchEvent(new Event('open'));
  };
  return target;
}

const hello = { kind: 'ack', seq: 0, mask: 0, readsDeflated: true, readsParity: true, readsScreen: true };

describe('tile backlog', () => {
  it('keeps binary messages from when the channel opens until the view takes them, once', () => {
    const c = channel();
    keepTileBacklog(c);
    expect(c.binaryType).toBe('arraybuffer');
    const first = new Uint8Array([1, 2]).buffer;
    const second = new Uint8Array([3]).buffer;
    c.deliver(first);
    c.deliver('not binary');
    c.deliver(second);
    expect(takeTileBacklog(c)).toEqual({ messages: [first, second], overflowed: false });
    c.deliver(new Uint8Array([4]).buffer); // the view listens now: not kept
    expect(takeTileBacklog(c)).toBeNull();
  });

  it('gives up past its size limit, and says so', () => {
    const c = channel();
    keepTileBacklog(c);
    c.deliver(new ArrayBuffer(MAX_BACKLOG_BYTES));
    c.deliver(new ArrayBuffer(1));
    expect(takeTileBacklog(c)).toEqual({ messages: [], overflowed: true });
  });

  it('says what the view reads once the channel is open, before anything arrives', () => {
    const open = channel();
    keepTileBacklog(open);
    expect(open.sent.map((d) => parseViewerTileMessage(d))).toEqual([hello]);
    const opening = channel('connecting');
    keepTileBacklog(opening);
    expect(opening.sent).toEqual([]);
    opening.open();
    opening.open();
    expect(opening.sent.map((d) => parseViewerTileMessage(d))).toEqual([hello]);
  });

  it('a channel nobody kept has no backlog', () => {
    expect(takeTileBacklog(channel())).toBeNull();
  });
});
