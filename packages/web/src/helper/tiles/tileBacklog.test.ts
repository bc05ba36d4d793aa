import { describe, expect, it } from 'vitest';
import { keepTileBacklog, MAX_BACKLOG_BYTES, takeTileBacklog } from './tileBacklog';

/** The part of a data channel the backlog uses: an event target with a `binaryType`. */
function channel(): RTCDataChannel & { deliver(data: unknown): void } {
  const target = new EventTarget() as RTCDataChannel & { deliver(data: unknown): void };
  target.deliver = (data) => target.dispatchEvent(new MessageEvent('message', { data }));
  return target;
}

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

  it('a channel nobody kept has no backlog', () => {
    expect(takeTileBacklog(channel())).toBeNull();
  });
});
