import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, ClientMessage } from '@remote-help/protocol';
import { Emitter } from '../Emitter';
import type { SignalingClient, SignalingEvents, SignalingStatus } from '../SignalingClient';
import { ACK_TIMEOUT_MS, ChatStore } from './chatStore';
import type { OutboxStorage } from './chatStore';
import { messageParts } from '@remote-help/protocol';

/** The part of a signaling client the store uses, driven by hand. */
class FakeClient extends Emitter<SignalingEvents> {
  readonly sent: ClientMessage[] = [];
  status: SignalingStatus = 'open';
  attach = vi.fn();
  send(message: ClientMessage): void {
    this.sent.push(message);
  }
  fire<K extends keyof SignalingEvents>(event: K, value: SignalingEvents[K]): void {
    this.emit(event, value);
  }
  sends() {
    return this.sent.filter((m) => m.type === 'chat.send');
  }
}

class MemoryStorage implements OutboxStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

const message = (seq: number, from: 'helper' | 'sharer', clientId: string, text = `m${seq}`): ChatMessage => ({
  seq,
  clientId,
  from,
  senderId: from === 'helper' ? 'u_h' : 'u_s',
  text,
  sentAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
});

function setup(storage = new MemoryStorage()) {
  const client = new FakeClient();
  const store = new ChatStore(client as unknown as SignalingClient, 's1', 'helper', storage);
  const history = (messages: ChatMessage[], more = false, enabled = true) =>
    client.fire('chat', { type: 'chat.history', sessionId: 's1', afterSeq: 0, messages, more, enabled });
  const push = (m: ChatMessage) => client.fire('chat', { type: 'chat.message', sessionId: 's1', message: m });
  return { client, store, storage, history, push };
}

describe('ChatStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('attaches, loads the thread, and holds each seq once in order', () => {
    const { client, store, history, push } = setup();
    expect(client.attach).toHaveBeenCalledWith('s1');
    expect(client.sent).toEqual([{ type: 'chat.resume', sessionId: 's1', afterSeq: 0 }]);
    history([message(1, 'sharer', 'a'), message(2, 'helper', 'b')]);
    push(message(2, 'helper', 'b'));
    push(message(3, 'sharer', 'c'));
    expect(store.current.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(store.current.loaded).toBe(true);
  });

  it('a message after a gap asks for what was missed from the last contiguous seq', () => {
    const { client, history, push } = setup();
    history([message(1, 'sharer', 'a')]);
    client.sent.length = 0;
    push(message(4, 'sharer', 'd'));
    expect(client.sent).toEqual([{ type: 'chat.resume', sessionId: 's1', afterSeq: 1 }]);
  });

  it('a send waits in the outbox until its own message comes back; a re-attach sends it again with the same id', () => {
    const { client, store, storage, history, push } = setup();
    history([]);
    store.send('  héllo 👋🏽\n');
    const [sent] = client.sends();
    expect(sent).toMatchObject({ type: 'chat.send', sessionId: 's1', text: '  héllo 👋🏽\n' });
    const clientId = (sent as { clientId: string }).clientId;
    expect(store.current.outgoing).toMatchObject([{ clientId, state: 'sending' }]);
    expect(storage.items.size).toBe(1);
    client.fire('attached', { sessionId: 's1' });
    expect(client.sends().map((m) => (m as { clientId: string }).clientId)).toEqual([clientId, clientId]);
    push(message(1, 'helper', clientId, '  héllo 👋🏽\n'));
    expect(store.current.outgoing).toEqual([]);
    expect(store.current.messages).toHaveLength(1);
    expect(storage.items.size).toBe(0);
  });

  it('a reload finds the outbox and sends it once attached', () => {
    const storage = new MemoryStorage();
    storage.setItem('rh.chat.outbox.s1', JSON.stringify([{ clientId: 'kept-0001', text: 'unsent', createdAt: 1 }]));
    const { client, store } = setup(storage);
    expect(store.current.outgoing).toMatchObject([{ clientId: 'kept-0001', text: 'unsent', state: 'sending' }]);
    expect(client.sends()).toMatchObject([{ clientId: 'kept-0001', text: 'unsent' }]);
  });

  it('keeps the draft per session across a reload of the tab, and forgets it once sent or emptied', () => {
    const storage = new MemoryStorage();
    const first = setup(storage).store;
    expect(first.draft).toBe('');
    first.saveDraft('Open the 设置 app — مرحبا 👋');
    first.dispose();
    // The page comes back: a new store over the same storage finds it; another session does not.
    const { client, store } = setup(storage);
    expect(store.draft).toBe('Open the 设置 app — مرحبا 👋');
    expect(new ChatStore(client as unknown as SignalingClient, 's2', 'helper', storage).draft).toBe('');
    store.send(store.draft);
    expect(store.draft).toBe('');
    store.saveDraft('x');
    store.saveDraft('');
    expect(storage.items.has('rh.chat.draft.s1')).toBe(false);
  });

  it('a draft that storage refuses stays in the box only', () => {
    const storage = new MemoryStorage();
    storage.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    const { store } = setup(storage);
    expect(() => store.saveDraft('long text')).not.toThrow();
    expect(store.draft).toBe('');
  });

  it('a refusal marks that message failed; Retry sends it again; rate_limited retries by itself', () => {
    const { client, store, history } = setup();
    history([]);
    store.send('one');
    const clientId = (client.sends()[0] as { clientId: string }).clientId;
    client.fire('error', {
      type: 'error',
      ok: false,
      error: 'message_too_long',
      message: 'too long',
      data: { clientId },
      sessionId: 's1',
    });
    expect(store.current.outgoing).toMatchObject([{ clientId, state: 'failed', error: { code: 'message_too_long' } }]);
    store.retry(clientId);
    expect(store.current.outgoing).toMatchObject([{ state: 'sending' }]);
    expect(client.sends()).toHaveLength(2);
    client.fire('error', {
      type: 'error',
      ok: false,
      error: 'rate_limited',
      message: 'slow down',
      data: { clientId, retryAfterSeconds: 2 },
      sessionId: 's1',
    });
    expect(store.current.outgoing).toMatchObject([{ state: 'sending' }]);
    vi.advanceTimersByTime(2000);
    expect(client.sends()).toHaveLength(3);
  });

  it('no acknowledgement on an open socket within the timeout: failed', () => {
    const { client, store, history } = setup();
    history([]);
    store.send('lost');
    vi.advanceTimersByTime(ACK_TIMEOUT_MS);
    expect(store.current.outgoing).toMatchObject([{ state: 'failed', error: { code: 'network_error' } }]);
    expect(client.sends()).toHaveLength(1);
  });

  it('counts unread messages of the other side while not watched, not history and not own messages', () => {
    const { store, history, push } = setup();
    history([message(1, 'sharer', 'a')]);
    push(message(2, 'sharer', 'b'));
    push(message(3, 'helper', 'c'));
    expect(store.current.unread).toBe(1);
    expect(store.current.lastIncoming?.seq).toBe(2);
    store.setWatching(true);
    expect(store.current.unread).toBe(0);
    push(message(4, 'sharer', 'd'));
    expect(store.current.unread).toBe(0);
  });

  it('chat turned off: disabled, nothing sent', () => {
    const { client, store, history } = setup();
    history([], false, false);
    expect(store.current.enabled).toBe(false);
    client.sent.length = 0;
    store.send('hello');
    store.typing(true);
    expect(client.sent).toEqual([]);
  });

  it('typing is throttled, stops on send, and the other side typing fades', () => {
    const { client, store, history } = setup();
    history([]);
    store.typing(true);
    store.typing(true);
    expect(client.sent.filter((m) => m.type === 'chat.typing')).toHaveLength(1);
    store.send('done');
    expect(client.sent.filter((m) => m.type === 'chat.typing').at(-1)).toMatchObject({ typing: false });
    client.fire('chat', { type: 'chat.typing', sessionId: 's1', from: 'sharer', typing: true });
    expect(store.current.peerTyping).toBe(true);
    vi.advanceTimersByTime(6000);
    expect(store.current.peerTyping).toBe(false);
  });
});

describe('messageParts', () => {
  it('keeps the text whole and picks out addresses, with invisible characters written out', () => {
    const text = 'see https://bank.example/\u202Eexe.txt and <b>www.x.example</b>';
    const parts = messageParts(text);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.kind === 'address').map((p) => (p as { shown: string }).shown)).toEqual([
      'https://bank.example/[U+202E]exe.txt',
      'www.x.example',
    ]);
  });

  it('leaves text without addresses as one piece', () => {
    expect(messageParts('مرحبا 👩🏽‍💻')).toEqual([{ kind: 'text', text: 'مرحبا 👩🏽‍💻' }]);
  });
});
