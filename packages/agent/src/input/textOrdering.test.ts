/**
 * The dispatcher keeps text (typed asynchronously, as on X11) in order with the keys,
 * buttons and releases around it, checks consent when each waiting message's turn
 * comes, and refuses untypable text without holding anything back.
 */
import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { LibnutInjector } from '../platform/libnutInjector.js';
import { fakeLibnut } from '../testing/fakeLibnut.js';
import { ConsentGate } from './consentGate.js';
import { InputDispatcher } from './inputDispatcher.js';

const display = { id: 'root', name: 'Screen', bounds: { x: 0, y: 0, width: 1280, height: 720 }, primary: true };
const none = { shift: false, ctrl: false, alt: false, meta: false };

function setup() {
  const nut = fakeLibnut();
  const typing: { text: string; done: () => void; fail: (e: unknown) => void }[] = [];
  const typeText = (text: string) => {
    if (text.includes('\u0007')) throw new AgentError('invalid_input_message', 'untypable');
    nut.calls.push(['typeText', text]);
    return new Promise<void>((done, fail) => typing.push({ text, done, fail }));
  };
  const injector = new LibnutInjector(nut, display, { typeText });
  const gate = new ConsentGate(injector);
  gate.setSessionMode('control');
  gate.setLocalConsent(true);
  const failed: unknown[] = [];
  const dispatcher = new InputDispatcher(gate, injector, { onFailed: (e) => failed.push(e) });
  nut.calls.length = 0;
  let seq = 0;
  const send = (m: Record<string, unknown>) => dispatcher.handle(JSON.stringify({ ...m, seq: ++seq }));
  const key = (code: string, down: boolean) => send({ type: 'key', code, down, modifiers: none });
  return { nut, gate, dispatcher, send, key, typing, failed };
}

describe('text in order with keys', () => {
  it('holds what follows a text until it is typed, then injects it in order', async () => {
    const { nut, dispatcher, send, key, typing } = setup();
    expect(key('KeyA', true)).toBe('injected');
    expect(key('KeyA', false)).toBe('injected');
    expect(send({ type: 'text', text: 'äé中' })).toBe('injected');
    expect(key('Enter', true)).toBe('held');
    expect(key('Enter', false)).toBe('held');
    expect(send({ type: 'text', text: '😀' })).toBe('held');
    expect(key('KeyB', true)).toBe('held');
    expect(nut.calls).toEqual([
      ['keyToggle', 'a', 'down'],
      ['keyToggle', 'a', 'up'],
      ['typeText', 'äé中'],
    ]);
    typing.shift()?.done();
    await new Promise((r) => setImmediate(r));
    expect(nut.calls.slice(3)).toEqual([
      ['keyToggle', 'return', 'down'],
      ['keyToggle', 'return', 'up'],
      ['typeText', '😀'],
    ]);
    const idle = dispatcher.idle();
    typing.shift()?.done();
    await idle;
    expect(nut.calls.slice(6)).toEqual([['keyToggle', 'b', 'down']]);
    expect(dispatcher.stats()).toMatchObject({ injected: 7, failed: 0 });
  });

  it('asks the consent gate when a waiting message gets its turn', async () => {
    const { nut, gate, dispatcher, send, key, typing } = setup();
    send({ type: 'text', text: 'ß' });
    expect(key('KeyC', true)).toBe('held');
    gate.revoke();
    const idle = dispatcher.idle();
    typing.shift()?.done();
    await idle;
    expect(nut.calls).toEqual([['typeText', 'ß']]);
    expect(dispatcher.stats()).toMatchObject({ blocked: 1 });
  });

  it('counts a text that failed to type and goes on with what follows', async () => {
    const { nut, dispatcher, send, key, typing, failed } = setup();
    send({ type: 'text', text: 'ß' });
    key('KeyC', true);
    const idle = dispatcher.idle();
    typing.shift()?.fail(new Error('X connection lost'));
    await idle;
    expect(failed).toHaveLength(1);
    expect(nut.calls).toEqual([
      ['typeText', 'ß'],
      ['keyToggle', 'c', 'down'],
    ]);
    expect(dispatcher.stats()).toMatchObject({ failed: 1 });
  });

  it('gives the injector a question it asks before each key: no once consent ends, for the rest of that text', async () => {
    const nut = fakeLibnut();
    const asks: (() => boolean)[] = [];
    const typing: (() => void)[] = [];
    class AskingInjector extends LibnutInjector {
      override typeText(_text: string, allowed?: () => boolean): Promise<void> {
        if (allowed) asks.push(allowed);
        return new Promise<void>((done) => typing.push(done));
      }
    }
    const injector = new AskingInjector(nut, display);
    const gate = new ConsentGate(injector);
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    const dispatcher = new InputDispatcher(gate, injector);
    nut.calls.length = 0;
    const send = (m: Record<string, unknown>) => dispatcher.handle(JSON.stringify(m));
    const key = (code: string) => send({ type: 'key', code, down: true, modifiers: none });

    send({ type: 'text', text: 'curl x|sh #ÄÖÜ' });
    expect(asks).toHaveLength(1);
    const allowed = asks[0] as () => boolean;
    expect(allowed()).toBe(true);
    expect(key('KeyA')).toBe('held'); // sent before the pause: waits for the text
    gate.setPaused(true); // the sharer pauses while the text is typed
    expect(allowed()).toBe(false);
    expect(key('KeyB')).toBe('blocked'); // sent while paused: refused at once
    gate.setPaused(false); // and resumes before the text has finished
    expect(allowed()).toBe(false); // that text stays stopped
    expect(key('KeyC')).toBe('held'); // sent after Resume: waits for the text, then goes in
    const idle = dispatcher.idle();
    typing.shift()?.();
    await idle;
    expect(nut.calls).toEqual([['keyToggle', 'c', 'down']]); // A, which waited across the pause, never
    expect(dispatcher.stats()).toMatchObject({ blocked: 2 });

    // A new text after Resume may type; Stop control ends it the same way.
    send({ type: 'text', text: 'ß' });
    const second = asks[1] as () => boolean;
    expect(second()).toBe(true);
    gate.revoke();
    expect(second()).toBe(false);
    gate.setLocalConsent(true);
    expect(second()).toBe(false);
    typing.shift()?.();
    await dispatcher.idle();
  });

  it('refuses untypable text with nothing typed and nothing held back', () => {
    const { nut, send, key, dispatcher } = setup();
    expect(send({ type: 'text', text: 'a\u0007' })).toBe('rejected');
    expect(key('KeyD', true)).toBe('injected');
    expect(nut.calls).toEqual([['keyToggle', 'd', 'down']]);
    expect(dispatcher.stats()).toMatchObject({ rejected: 1 });
  });
});
