import { EventEmitter } from 'node:events';
import type { ChatMessage } from '@remote-help/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_TIMEOUT_MS, AgentChat, type ChatSignaling } from './agentChat.js';
import type { ChatRequest, SignalingEvents } from './signalingClient.js';

/** The signaling connection as the chat sees it, driven by hand. */
class FakeSignaling extends EventEmitter<SignalingEvents> {
  readonly sent: ChatRequest[] = [];
  status: ChatSignaling['status'] = 'open';
  attached = true;
  attachedTo(): boolean {
    return this.attached && this.status === 'open';
  }
  sendChat(message: ChatRequest): boolean {
    this.sent.push(message);
    return this.status === 'open';
  }
  sends() {
    return this.sent.filter((m) => m.type === 'chat.send') as Extract<ChatRequest, { type: 'chat.send' }>[];
  }
}

const message = (seq: number, from: 'helper' | 'sharer', clientId: string, text = `m${seq}`): ChatMessage => ({
  seq,
  clientId,
  from,
  senderId: from,
  text,
  sentAt: '2026-12-01T12:00:00.000Z',
});

function setup() {
  const signaling = new FakeSignaling();
  const chat = new AgentChat(signaling as unknown as ChatSignaling, 's1');
  const push = (m: ChatMessage) => signaling.emit('chat', { type: 'chat.message', sessionId: 's1', message: m });
  return { signaling, chat, push };
}

describe('AgentChat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads the thread at once and again from the last contiguous seq after every re-attach', () => {
    const { signaling, push } = setup();
    expect(signaling.sent).toEqual([{ type: 'chat.resume', sessionId: 's1', afterSeq: 0 }]);
    push(message(1, 'helper', 'a'));
    push(message(2, 'helper', 'b'));
    signaling.sent.length = 0;
    signaling.emit('attached', 'other-session');
    signaling.emit('attached', 's1');
    expect(signaling.sent).toEqual([{ type: 'chat.resume', sessionId: 's1', afterSeq: 2 }]);
  });

  it('waits for the session to be attached before anything goes (the server refuses chat for a session not attached)', () => {
    const signaling = new FakeSignaling();
    signaling.attached = false;
    const chat = new AgentChat(signaling as unknown as ChatSignaling, 's1');
    chat.send('early');
    expect(signaling.sent).toEqual([]);
    expect(chat.snapshot().outgoing).toMatchObject([{ text: 'early', state: 'sending' }]);
    signaling.attached = true;
    signaling.emit('attached', 's1');
    expect(signaling.sent.map((m) => m.type)).toEqual(['chat.resume', 'chat.send']);
  });

  it('a send lost with the connection goes again, under the same client id, on re-attach; its echo clears it', () => {
    const { signaling, chat, push } = setup();
    signaling.status = 'reconnecting';
    chat.send('hola 👋🏽');
    expect(signaling.sends()).toEqual([]); // not attached: it waits
    signaling.status = 'open';
    signaling.emit('attached', 's1');
    const [first] = signaling.sends();
    expect(first).toMatchObject({ text: 'hola 👋🏽' });
    expect(signaling.sends()).toHaveLength(1);
    push(message(1, 'sharer', first?.clientId as string, 'hola 👋🏽'));
    expect(chat.snapshot().outgoing).toEqual([]);
    expect(chat.snapshot().messages).toHaveLength(1);
  });

  it('a refusal fails that message until Retry; rate_limited sends again by itself; silence fails it', () => {
    const { signaling, chat } = setup();
    chat.send('one');
    const clientId = signaling.sends()[0]?.clientId as string;
    signaling.emit('serverError', { error: 'message_too_long', message: 'long', data: { clientId } });
    expect(chat.snapshot().outgoing).toMatchObject([{ state: 'failed', error: { code: 'message_too_long' } }]);
    chat.retry(clientId);
    signaling.emit('serverError', { error: 'rate_limited', message: 'slow', data: { clientId, retryAfterSeconds: 2 } });
    expect(chat.snapshot().outgoing).toMatchObject([{ state: 'sending' }]);
    vi.advanceTimersByTime(2000);
    expect(signaling.sends()).toHaveLength(3);
    vi.advanceTimersByTime(ACK_TIMEOUT_MS);
    expect(chat.snapshot().outgoing).toMatchObject([{ state: 'failed', error: { code: 'network_error' } }]);
  });

  it('turned off by the organization: nothing is sent any more', () => {
    const { signaling, chat } = setup();
    signaling.emit('chat', {
      type: 'chat.history',
      sessionId: 's1',
      afterSeq: 0,
      messages: [],
      more: false,
      enabled: false,
    });
    signaling.sent.length = 0;
    chat.send('hello');
    chat.typing(true);
    expect(signaling.sent).toEqual([]);
    expect(chat.snapshot().enabled).toBe(false);
  });
});
