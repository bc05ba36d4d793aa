/**
 * @module input/inputDispatcher
 * The path of one `input` data-channel message: parse (reject and count bad ones),
 * put numbered messages in order (each `seq` once, from whichever channel brought it
 * first; see protocol `input.ts`), ask the consent gate, translate (normalized → display
 * pixels, code → key name, wheel deltas → notches) and inject. While the injector types
 * a text asynchronously (X11 needs round trips), later messages wait their turn, so text
 * and keys reach the desktop in the order the helper sent them.
 *
 * Consent is asked for each key, not only for each message: a text being typed gets a
 * question (`StillAllowed`) that its injector asks before every key it presses, and whose
 * answer turns to no for good the moment consent ends (Stop control, pause, revoke, the end
 * of the session or of control, a lost display) — a Resume does not bring that text back.
 * The messages waiting behind it are dropped then (counted as blocked), and a message that
 * arrives while consent is off is refused at once rather than kept for later.
 */
import { AgentError, isAgentError } from '../errors.js';
import type { InputInjector } from '../platform/types.js';
import type { ConsentGate } from './consentGate.js';
import { parseInputMessage, type InputMessage } from './inputMessages.js';
import { MODIFIER_CODES } from './keymap.js';
import { normalizedToDisplay } from './pointer.js';

/**
 * Asked by the injector before each key of a text: whether it may still type. False from the
 * moment consent ended since the text began, even if consent came back meanwhile.
 */
export type StillAllowed = () => boolean;

/**
 * An injector as the dispatcher uses it: `typeText` may take the text's `StillAllowed` and
 * must ask it before every key it presses when it types over several turns of the event
 * loop (the X11 typer does); one that types synchronously, within the turn the gate was
 * asked in, may ignore it. Every `InputInjector` fits.
 */
export type GatedInjector = InputInjector & {
  typeText(text: string, allowed?: StillAllowed): void | Promise<void>;
};

/** What happened to one message. */
export type DispatchOutcome = 'injected' | 'blocked' | 'rejected' | 'failed' | 'duplicate' | 'held';

/** Counters since the dispatcher was created. */
export interface DispatchStats {
  received: number;
  injected: number;
  blocked: number;
  rejected: number;
  failed: number;
  /** Second copies (and messages of an earlier connection): not injected again. */
  duplicates: number;
}

/** The connection whose numbers a dispatcher follows, and the next number due. */
export interface DispatchPosition {
  stream: number;
  next: number;
}

/** Numbered messages kept while an earlier number is missing; beyond that the gap is given up. */
const MAX_HELD = 256;
/** Messages kept while a text is being typed; beyond that they are dropped (and counted as failed). */
const MAX_WAITING = 4096;

/** Pixels of a DOM wheel event that make one wheel notch (Chromium on Linux/Windows sends 100 per notch). */
const PIXELS_PER_NOTCH = 100;
const LINES_PER_NOTCH = 3;
const NOTCHES_PER_PAGE = 10;
const MAX_NOTCHES_PER_MESSAGE = 20;

export interface InputDispatcherOptions {
  /** Called with each rejected message's error (for logging; never with message contents). */
  onRejected?: (error: AgentError) => void;
  /** Called when the injector threw something unexpected. */
  onFailed?: (error: unknown) => void;
}

/** Turns `input` data-channel messages into injected events, behind the consent gate. */
export class InputDispatcher {
  readonly #gate: ConsentGate;
  readonly #injector: GatedInjector;
  readonly #options: InputDispatcherOptions;
  readonly #stats: DispatchStats = { received: 0, injected: 0, blocked: 0, rejected: 0, failed: 0, duplicates: 0 };
  /** The connection whose numbers are followed, the next number due, and those that came early. */
  #stream = -1;
  #next = 1;
  /** Null: a message that consent ended for while it waited for its number (refused when due). */
  #held = new Map<number, InputMessage | null>();
  #wheelX = 0;
  #wheelY = 0;
  /** The text being typed, and the messages that came after it. */
  #typing: Promise<void> | null = null;
  #waiting: InputMessage[] = [];
  #idle: (() => void)[] = [];
  /** Ends the consent of the text being typed (null: none is). */
  #endText: (() => void) | null = null;
  readonly #unsubscribe: () => void;
  #disposed = false;

  constructor(gate: ConsentGate, injector: GatedInjector, options: InputDispatcherOptions = {}) {
    this.#gate = gate;
    this.#injector = injector;
    this.#options = options;
    this.#unsubscribe = gate.onChange((allowed) => {
      if (!allowed) this.#consentEnded();
    });
  }

  stats(): DispatchStats {
    return { ...this.#stats };
  }

  /**
   * Handles one raw message (string or bytes) from the `input` or `input-fast` channel of
   * connection number `stream` (a new connection restarts the numbering). Never throws.
   */
  handle(raw: unknown, stream = 0, { refused = false }: { refused?: boolean } = {}): DispatchOutcome {
    this.#stats.received++;
    let message: InputMessage;
    try {
      message = parseInputMessage(raw);
    } catch (error) {
      return this.#reject(error);
    }
    // `refused`: it came while consent did not hold (kept for its number only, never injected).
    const keep = !refused || message.type === 'releaseAll';
    const seq = message.seq;
    if (seq === undefined) {
      if (keep) return this.#dispatch(message);
      this.#stats.blocked++;
      return 'blocked';
    }
    if (stream !== this.#stream) {
      if (stream < this.#stream) return this.#duplicate();
      this.#stream = stream;
      this.#next = 1;
      this.#held.clear();
    }
    if (seq < this.#next || this.#held.has(seq)) return this.#duplicate();
    if (seq > this.#next) {
      this.#held.set(seq, keep && (this.#gate.allowed || message.type === 'releaseAll') ? message : null);
      if (this.#held.size <= MAX_HELD) return 'held';
      // The missing number never came on either channel: give it up rather than stall.
      this.#next = Math.min(...this.#held.keys());
      this.#drain();
      return 'held';
    }
    const outcome = this.#take(keep ? message : null);
    this.#drain();
    return outcome;
  }

  /** Where the numbering stands, for a dispatcher that takes over the same connections. */
  position(): DispatchPosition {
    return { stream: this.#stream, next: this.#next };
  }

  /**
   * Goes on from the numbering of the dispatcher this one replaces (its injector went away with a
   * display, the helper's connection did not): a fresh start at 1 would hold every later message
   * as if an earlier number were missing.
   */
  continueFrom(position: DispatchPosition): void {
    this.#stream = position.stream;
    this.#next = position.next;
    this.#held.clear();
  }

  /** Injects the held messages that are now due, in order. */
  #drain(): void {
    while (this.#held.has(this.#next)) {
      const next = this.#held.get(this.#next) ?? null;
      this.#held.delete(this.#next);
      this.#take(next);
    }
  }

  #take(message: InputMessage | null): DispatchOutcome {
    this.#next++;
    if (message) return this.#dispatch(message);
    this.#stats.blocked++;
    return 'blocked';
  }

  #duplicate(): DispatchOutcome {
    this.#stats.duplicates++;
    return 'duplicate';
  }

  /** Resolves once no text is being typed and no message waits for one. */
  idle(): Promise<void> {
    if (!this.#typing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Stops for good: the text being typed stops before its next key, what waits behind it is
   * dropped, and the gate is no longer followed (this dispatcher's injector is going away:
   * display switched or lost, media closed). Nothing handled afterwards is injected.
   */
  dispose(): void {
    this.#unsubscribe();
    this.#disposed = true;
    this.#consentEnded();
  }

  /**
   * The gate closed (or the dispatcher is disposed): a text being typed stops for good, and
   * what waited for its turn (behind the text, or for a missing number) will not be injected,
   * even if consent comes back before that turn.
   */
  #consentEnded(): void {
    this.#endText?.();
    for (const message of this.#waiting.splice(0)) {
      if (message.type !== 'releaseAll') this.#stats.blocked++;
    }
    for (const [seq, message] of this.#held) if (message?.type !== 'releaseAll') this.#held.set(seq, null);
  }

  #dispatch(message: InputMessage): DispatchOutcome {
    if (this.#disposed) {
      this.#stats.blocked++;
      return 'blocked';
    }
    if (this.#typing) {
      // Refused now, not judged when its turn comes: consent might be back by then.
      if (message.type !== 'releaseAll' && !this.#gate.run(() => undefined)) {
        this.#stats.blocked++;
        return 'blocked';
      }
      if (this.#waiting.length >= MAX_WAITING) {
        this.#stats.failed++;
        return 'failed';
      }
      this.#waiting.push(message);
      return 'held';
    }
    if (message.type === 'releaseAll') {
      // Letting go is always safe, so it does not need consent.
      this.#injector.releaseAll();
      this.#stats.injected++;
      return 'injected';
    }
    try {
      if (!this.#gate.run(() => this.#apply(message))) {
        this.#stats.blocked++;
        return 'blocked';
      }
    } catch (error) {
      if (
        isAgentError(error, 'unknown_key') ||
        isAgentError(error, 'key_unavailable') ||
        isAgentError(error, 'invalid_input_message')
      ) {
        return this.#reject(error);
      }
      this.#stats.failed++;
      this.#options.onFailed?.(error);
      return 'failed';
    }
    this.#stats.injected++;
    return 'injected';
  }

  #apply(message: Exclude<InputMessage, { type: 'releaseAll' }>): void {
    const injector = this.#injector;
    switch (message.type) {
      case 'pointerMove':
        this.#move(message.x, message.y);
        return;
      case 'pointerButton':
        if (message.x !== undefined && message.y !== undefined) this.#move(message.x, message.y);
        injector.pointerButton(message.button, message.down);
        return;
      case 'wheel':
        this.#wheel(message.dx, message.dy, message.mode);
        return;
      case 'key':
        this.#releaseStaleModifiers(message.code, message.modifiers);
        injector.key(message.code, message.down);
        return;
      case 'text':
        this.#type(message.text);
        return;
    }
  }

  /**
   * Starts typing `text` (the gate allowed it just now). Its `StillAllowed` answers no from
   * the first time the gate is found or reported closed (or the dispatcher is disposed), for good.
   */
  #type(text: string): void {
    let open = true;
    const end = (): void => {
      open = false;
    };
    const allowed: StillAllowed = () => {
      if (open && !this.#gate.allowed) this.#consentEnded();
      return open;
    };
    const typing = this.#injector.typeText(text, allowed);
    if (!typing) return; // typed already, in this turn of the event loop
    this.#endText = end;
    this.#wait(typing, () => {
      if (this.#endText === end) this.#endText = null;
    });
  }

  /** Holds every later message until `typing` settles (then `done` runs), then injects them in order. */
  #wait(typing: Promise<void>, done: () => void): void {
    const settled = typing.then(
      () => undefined,
      (error: unknown) => {
        this.#stats.failed++;
        this.#options.onFailed?.(error);
      },
    );
    this.#typing = settled;
    void settled.then(() => {
      done();
      this.#typing = null;
      while (!this.#typing && this.#waiting.length > 0) this.#dispatch(this.#waiting.shift() as InputMessage);
      if (this.#typing) return;
      for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  #move(x: number, y: number): void {
    const { width, height } = this.#injector.display.bounds;
    const p = normalizedToDisplay({ x, y }, { width, height });
    this.#injector.pointerMove(p.x, p.y);
  }

  #wheel(dx: number, dy: number, mode: 'pixel' | 'line' | 'page'): void {
    const scale = mode === 'pixel' ? 1 / PIXELS_PER_NOTCH : mode === 'line' ? 1 / LINES_PER_NOTCH : NOTCHES_PER_PAGE;
    this.#wheelX += dx * scale;
    this.#wheelY += dy * scale;
    const notchesX = clampNotches(Math.trunc(this.#wheelX));
    const notchesY = clampNotches(Math.trunc(this.#wheelY));
    this.#wheelX -= Math.trunc(this.#wheelX);
    this.#wheelY -= Math.trunc(this.#wheelY);
    if (notchesX !== 0 || notchesY !== 0) this.#injector.wheel(notchesX, notchesY);
  }

  /** A modifier the helper no longer holds (its key-up was lost, e.g. on a focus change) is released. */
  #releaseStaleModifiers(code: string, modifiers: Record<keyof typeof MODIFIER_CODES, boolean>): void {
    const held = this.#injector.heldKeys();
    for (const [flag, codes] of Object.entries(MODIFIER_CODES) as [keyof typeof MODIFIER_CODES, readonly string[]][]) {
      if (modifiers[flag]) continue;
      for (const c of codes) if (c !== code && held.has(c)) this.#injector.key(c, false);
    }
  }

  #reject(error: unknown): DispatchOutcome {
    this.#stats.rejected++;
    const agentError = isAgentError(error) ? error : new AgentError('invalid_input_message', 'Invalid input message');
    this.#options.onRejected?.(agentError);
    return 'rejected';
  }
}

function clampNotches(n: number): number {
  return Math.max(-MAX_NOTCHES_PER_MESSAGE, Math.min(MAX_NOTCHES_PER_MESSAGE, n));
}
