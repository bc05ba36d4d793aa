import type { Role, ServerMessage } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import type { FeedMember } from './feed.js';
import { SessionFeed } from './feed.js';
import type { SessionRow } from './repo.js';

const row = (version: number, state: string) => ({ id: 's1', tenant_id: 't1', version, state }) as SessionRow;

/** A source whose loads the test releases one by one, so a member can arrive mid-load. */
function scripted() {
  let current = row(0, 'waiting');
  const pending: (() => void)[] = [];
  return {
    set: (next: SessionRow) => (current = next),
    release: async () => {
      pending.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    source: {
      load: () => new Promise<SessionRow>((resolve) => pending.push(() => resolve(current))),
      // Presenting waits too: a member can arrive after the load fixed the roles.
      present: (r: SessionRow, role: Role) =>
        new Promise<ServerMessage>((resolve) =>
          pending.push(() => resolve({ type: 'pong', id: `${role}:${r.version}:${r.state}` } as ServerMessage)),
        ),
      failed: (error: unknown) => {
        throw error;
      },
    },
  };
}

const member = (userId: string): FeedMember & { got: string[] } => {
  const got: string[] = [];
  return { userId, got, sendText: (text: string) => got.push((JSON.parse(text) as { id: string }).id) };
};

describe('SessionFeed', () => {
  it('a member who arrives while a load runs for other roles still gets the newer view', async () => {
    const src = scripted();
    const feed = new SessionFeed(row(0, 'waiting'), src.source);
    const oldHelper = member('helper');
    feed.add(oldHelper, 'helper');
    await src.release(); // load
    await src.release(); // present helper
    expect(oldHelper.got).toEqual(['helper:0:waiting']);

    const sharer = member('sharer');
    feed.add(sharer, 'sharer');
    for (let i = 0; i < 3; i++) await src.release(); // load, present helper + sharer
    // The helper's socket is replaced while the sharer's join is being presented.
    feed.remove(oldHelper);
    src.set(row(1, 'joined'));
    feed.refresh();
    await src.release(); // load: the roles are now {sharer}
    const newHelper = member('helper');
    feed.add(newHelper, 'helper'); // gets the cached (older) frame at once…
    for (let i = 0; i < 6; i++) await src.release();
    // …and the joined view right after, not only the sharer.
    expect(newHelper.got.at(-1)).toBe('helper:1:joined');
    expect(sharer.got.at(-1)).toBe('sharer:1:joined');
  });

  it('a member who arrives with nothing changed gets the cached frame and costs no load', async () => {
    const src = scripted();
    const feed = new SessionFeed(row(0, 'waiting'), src.source);
    const a = member('helper');
    feed.add(a, 'helper');
    await src.release();
    await src.release();
    const b = member('helper');
    feed.add(b, 'helper');
    expect(b.got).toEqual(['helper:0:waiting']);
    let loads = 0;
    src.source.load = () => {
      loads++;
      return Promise.resolve(row(0, 'waiting'));
    };
    feed.add(member('helper'), 'helper');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(loads).toBe(0);
  });

  it('relays a signal to the newest member of the role only, and chat to all of them', () => {
    const feed = new SessionFeed(row(0, 'joined'), scripted().source);
    const oldSocket = member('helper');
    const newSocket = member('helper');
    const sharer = member('sharer');
    feed.add(oldSocket, 'helper');
    feed.add(sharer, 'sharer');
    feed.add(newSocket, 'helper');
    const signal = (id: string) => ({ type: 'pong', id }) as ServerMessage;
    feed.relayToNewest('helper', signal('offer-1'));
    feed.relay('helper', signal('chat-1'));
    expect(newSocket.got).toEqual(['offer-1', 'chat-1']);
    expect(oldSocket.got).toEqual(['chat-1']);
    expect(sharer.got).toEqual([]);
    // The newest leaves (its page closed): the one before it negotiates again.
    feed.remove(newSocket);
    feed.relayToNewest('helper', signal('offer-2'));
    expect(oldSocket.got).toEqual(['chat-1', 'offer-2']);
    feed.remove(oldSocket);
    expect(() => feed.relayToNewest('helper', signal('offer-3'))).not.toThrow();
  });

  /** A source that answers at once and counts its loads and presentations. */
  function counting(initial: SessionRow) {
    const counts = { loads: 0, presents: 0 };
    let current = initial;
    return {
      counts,
      set: (next: SessionRow) => (current = next),
      source: {
        load: () => {
          counts.loads++;
          return Promise.resolve(current);
        },
        present: (r: SessionRow, role: Role) => {
          counts.presents++;
          return Promise.resolve({ type: 'pong', id: `${role}:${r.version}:${r.state}` } as ServerMessage);
        },
        failed: (error: unknown) => {
          throw error;
        },
      },
    };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('presents a newcomer and a presence change from the row it holds, without loading', async () => {
    const src = counting(row(3, 'joined'));
    const feed = new SessionFeed(row(3, 'joined'), src.source);
    const helper = member('helper');
    feed.add(helper, 'helper');
    await settle();
    feed.repaint();
    await settle();
    expect(helper.got).toEqual(['helper:3:joined']);
    expect(src.counts.loads).toBe(0);
  });

  it('a frame identical to the last one of its role is not sent again', async () => {
    const src = counting(row(3, 'joined'));
    const feed = new SessionFeed(row(3, 'joined'), src.source);
    const helper = member('helper');
    feed.add(helper, 'helper');
    await settle();
    const sharer = member('sharer');
    feed.add(sharer, 'sharer'); // presents both roles again: the helper's frame did not change
    await settle();
    feed.refresh();
    await settle();
    expect(helper.got).toEqual(['helper:3:joined']);
    expect(sharer.got).toEqual(['sharer:3:joined']);
    expect(src.counts.presents).toBe(5);
  });

  it('a row this node wrote is presented without a load, and its announcement costs nothing', async () => {
    const src = counting(row(3, 'joined'));
    const feed = new SessionFeed(row(3, 'joined'), src.source);
    const helper = member('helper');
    feed.add(helper, 'helper');
    await settle();
    feed.offer(row(4, 'requested'));
    await settle();
    feed.changed(4); // the bus announces the version already shown
    feed.changed(3);
    await settle();
    expect(helper.got).toEqual(['helper:3:joined', 'helper:4:requested']);
    expect(src.counts.loads).toBe(0);
    // A version the feed has not seen (another node wrote it) is loaded.
    src.set(row(5, 'active'));
    feed.changed(5);
    await settle();
    expect(helper.got.at(-1)).toBe('helper:5:active');
    expect(src.counts.loads).toBe(1);
  });

  it('never goes back to an older row: a stale offer is ignored, a load older than an offer loses', async () => {
    const src = scripted();
    const feed = new SessionFeed(row(2, 'joined'), src.source);
    const helper = member('helper');
    feed.add(helper, 'helper');
    await src.release(); // present helper:2
    feed.offer(row(1, 'waiting')); // older than the held row: nothing happens
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(helper.got).toEqual(['helper:2:joined']);

    // A load starts (a change from elsewhere), reads version 2, and this node writes 3 meanwhile.
    src.set(row(2, 'joined'));
    feed.refresh();
    feed.offer(row(3, 'requested'));
    await src.release(); // the load answers version 2
    await src.release(); // present
    await src.release();
    expect(helper.got.at(-1)).toBe('helper:3:requested');
    expect(feed.row.version).toBe(3);
  });
});
