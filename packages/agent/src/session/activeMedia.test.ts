/**
 * ICE restarts of an active session's media (issue 13, item 5) with fake media: when a
 * restart's offer could not leave (the signaling socket died with the path, as it does when
 * the machine's address changes), the next trigger restarts at once instead of waiting out
 * the retry; an offer that did leave is waited for. The real thing is covered by the agent
 * network-change journey (`e2e/network/agentNetworkChange.e2e.ts`). And input that arrives
 * while the injector is being made: kept only while consent holds.
 */
import type { SignalPayload } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { ConsentGate } from '../input/consentGate.js';
import { LibnutInjector } from '../platform/libnutInjector.js';
import type { DisplayInfo, InputInjector } from '../platform/types.js';
import { fakeLibnut } from '../testing/fakeLibnut.js';
import { DISPLAYS, FakeMedia } from '../testing/fakeSession.js';
import { ActiveMedia, MEDIA_PROBLEMS_LOGGED, type MediaState } from './activeMedia.js';

/** Fake media that can restart ICE: each restart emits a new offer. */
class RestartingMedia extends FakeMedia {
  restarts = 0;
  async restartIce(): Promise<void> {
    this.restarts++;
    this.emit('signal', { kind: 'sdp', description: { type: 'offer', sdp: `v=0 restart ${this.restarts}` } });
  }
}

async function activeSession(onProblem?: (what: string, error: unknown) => void): Promise<{
  media: RestartingMedia;
  active: ActiveMedia;
  sent: SignalPayload[];
  setSignalingUp(up: boolean): void;
  states: MediaState[];
}> {
  const media = new RestartingMedia();
  const sent: SignalPayload[] = [];
  const states: MediaState[] = [];
  let signalingUp = true;
  const active = new ActiveMedia({
    media,
    gate: new ConsentGate({ releaseAll: () => undefined }),
    injector: () => Promise.reject(new Error('view only')),
    sendSignal: (payload) => {
      if (!signalingUp) return false;
      sent.push(payload);
      return true;
    },
    onState: (state) => states.push(state),
    onLaser: () => undefined,
    onFrame: () => undefined,
    onDisplay: () => undefined,
    ...(onProblem ? { onProblem } : {}),
  });
  await active.start();
  return { media, active, sent, states, setSignalingUp: (up) => (signalingUp = up) };
}

const offers = (sent: SignalPayload[]): string[] =>
  sent.flatMap((p) => (p.kind === 'sdp' && p.description.type === 'offer' ? [p.description.sdp] : []));

describe('ActiveMedia: ICE restart after a network change', () => {
  it('restarts again as soon as signaling is back when the restart offer could not leave', async () => {
    const { media, active, sent, setSignalingUp, states } = await activeSession();
    // The address changed: the signaling socket is down when the heartbeat declares the path dead.
    setSignalingUp(false);
    media.emit('path', 'down');
    await Promise.resolve();
    expect(media.restarts).toBe(1);
    expect(states.at(-1)).toBe('reconnecting');
    // Signaling back (well within the retry interval): the helper never saw that offer.
    setSignalingUp(true);
    active.recover('reconnecting');
    await Promise.resolve();
    expect(media.restarts).toBe(2);
    expect(offers(sent)).toEqual(['v=0 fake', 'v=0 restart 2']);
    // That one left: a further trigger (the helper asking) waits for its answer.
    active.handleSignal({ kind: 'restart', ice: true });
    await Promise.resolve();
    expect(media.restarts).toBe(2);
    await active.close();
  });

  it('waits for a restart offer that reached the helper instead of offering over it', async () => {
    const { media, active, sent } = await activeSession();
    media.emit('path', 'down');
    await Promise.resolve();
    active.recover('reconnecting');
    active.handleSignal({ kind: 'restart', ice: true });
    await Promise.resolve();
    expect(media.restarts).toBe(1);
    expect(offers(sent)).toEqual(['v=0 fake', 'v=0 restart 1']);
    await active.close();
  });
});

describe('ActiveMedia: the first picture before the control link', () => {
  it('opens the control link (display list, control state) once capture has started, then once per channel', async () => {
    let release: () => void = () => undefined;
    const order: string[] = [];
    class SlowMedia extends FakeMedia {
      override async start(): Promise<void> {
        order.push('capture starts');
        await new Promise<void>((r) => (release = r));
        order.push('first frame out');
      }
      override sendControl(text: string): boolean {
        order.push(`control ${(JSON.parse(text) as { type: string }).type}`);
        return super.sendControl(text);
      }
    }
    const media = new SlowMedia();
    const active = new ActiveMedia({
      media,
      gate: new ConsentGate({ releaseAll: () => undefined }),
      injector: () => Promise.reject(new Error('view only')),
      sendSignal: () => true,
      onState: () => undefined,
      onLaser: () => undefined,
      onFrame: () => undefined,
      onDisplay: () => undefined,
    });
    media.emit('channelopen', 'control'); // connected early: the channel is open before Allow
    expect(order).toEqual([]); // nothing before Allow
    const starting = active.start();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['capture starts']);
    release();
    await starting;
    expect(order.slice(0, 2)).toEqual(['capture starts', 'first frame out']);
    expect(media.sentControl('displays')).toHaveLength(1);
    expect(media.sentControl('controlState')).toHaveLength(1);
    // The same channel opening again (a renegotiated connection) opens the link again, once.
    media.emit('connectionstatechange', 'new');
    media.emit('channelopen', 'control');
    expect(media.sentControl('displays')).toHaveLength(2);
    await active.close();
  });
});

describe('ActiveMedia: problems from the helper', () => {
  it('logs a bounded number of media problems however many malformed messages come', async () => {
    const logged: string[] = [];
    const { media } = await activeSession((what, error) => logged.push(`${what}: ${String(error)}`));
    logged.length = 0; // what starting said
    for (let i = 0; i < 10_000; i++) media.emit('error', new Error(`malformed tile ack ${i}`));
    expect(logged).toHaveLength(MEDIA_PROBLEMS_LOGGED + 1);
    expect(logged[0]).toBe('media: Error: malformed tile ack 0');
    expect(logged.at(-1)).toMatch(/not logged/);
  });
});

describe('ActiveMedia: input kept while the injector starts', () => {
  it('is dropped when consent ends before the injector is ready, and not kept while consent is off', async () => {
    const gate = new ConsentGate({ releaseAll: () => undefined });
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    const nut = fakeLibnut();
    let ready: (injector: InputInjector) => void = () => undefined;
    const media = new FakeMedia();
    const active = new ActiveMedia({
      media,
      gate,
      injector: () => new Promise<InputInjector>((resolve) => (ready = resolve)),
      sendSignal: () => true,
      onState: () => undefined,
      onLaser: () => undefined,
      onFrame: () => undefined,
      onDisplay: () => undefined,
    });
    const starting = active.start();
    const move = (x: number) => JSON.stringify({ type: 'pointerMove', x, y: 0 });
    media.emit('input', move(0.1), 1); // kept: the injector is starting
    gate.setPaused(true); // the sharer pauses: what was kept goes
    media.emit('input', move(0.2), 1); // sent while paused: not kept
    gate.setPaused(false);
    media.emit('input', move(0.3), 1); // sent after Resume: kept
    ready(new LibnutInjector(nut, DISPLAYS[0] as DisplayInfo));
    await starting;
    expect(nut.calls.filter((c) => c[0] === 'moveMouse')).toEqual([['moveMouse', 300, 0]]);
    await active.close();
  });
});

describe('ActiveMedia: input numbering across a lost display', () => {
  it('goes on with the helper’s numbering once the display is back, and injects what comes then at once', async () => {
    const gate = new ConsentGate({ releaseAll: () => undefined });
    gate.setSessionMode('control');
    gate.setLocalConsent(true);
    const nut = fakeLibnut();
    const media = new FakeMedia();
    const active = new ActiveMedia({
      media,
      gate,
      injector: () => Promise.resolve(new LibnutInjector(nut, DISPLAYS[0] as DisplayInfo)),
      sendSignal: () => true,
      onState: () => undefined,
      onLaser: () => undefined,
      onFrame: () => undefined,
      onDisplay: () => undefined,
    });
    await active.start();
    const move = (seq: number, x: number) => JSON.stringify({ type: 'pointerMove', x, y: 0, seq });
    media.emit('input', move(1, 0.1), 1);
    media.emit('input', move(2, 0.2), 1);
    // The X server dies: the injector and its dispatcher go; the helper's connection stays.
    media.emit('captureLost', new Error('display gone'));
    gate.setDisplayUnavailable(true);
    media.emit('input', move(3, 0.3), 1); // while the display is gone: never injected, but numbered
    media.displayBack = true;
    expect(await active.recoverDisplay()).toBe(true);
    gate.setDisplayUnavailable(false);
    media.emit('input', move(4, 0.4), 1);
    await new Promise((resolve) => setImmediate(resolve));
    // Not held behind numbers 1–3 as if they were missing (a fresh count from 1 waited for 256).
    expect(nut.calls.filter((c) => c[0] === 'moveMouse').map((c) => c[1])).toEqual([100, 200, 400]);
    await active.close();
  });
});
