/**
 * @module input/inputDispatcher
 * The path of one `input` data-channel message: parse (reject and count bad ones),
 * put numbered messages in order (each `seq` once, from whichever channel brought it
 * first; see protocol `input.ts`), ask the consent gate, translate (normalized → display
 * pixels, code → key name, wheel deltas → notches) and inject. While the injector types
 * a text asynchronously (X11 needs round trips), later messages wait their turn, so text
 * and keys reach the desktop in the order the helper sent them.
 */
import { AgentError, isAgentError } from '../errors.js';
import type { InputInjector } from '../platform/types.js';
import type { ConsentGate } from './consentGate.js';
import { parseInputMessage, type InputMessage } from './inputMessages.js';
import { MODIFIER_CODES } from './keymap.js';
import { normalizedToDisplay } from './pointer.js';

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
  readonly #injector: InputInjector;
  readonly #options: InputDispatcherOptions;
  readonly #stats: DispatchStats = { received: 0, injected: 0, blocked: 0, rejected: 0, failed: 0, duplicates: 0 };
  /** The connection whose numbers are followed, the next number due, and those that came early. */
  #stream = -1;
  #next = 1;
  #held = new Map<number, InputMessage>();
  #wheelX = 0;
  #wheelY = 0;
  /** The text being typed, and the messages that came after it. */
  #typing: Promise<void> | null = null;
  #waiting: InputMessage[] = [];
  #idle: (() => void)[] = [];

  constructor(gate: ConsentGate, injector: InputInjector, options: InputDispatcherOptions = {}) {
    this.#gate = gate;
    this.#injector = injector;
    this.#options = options;
  }

  stats(): DispatchStats {
    return { ...this.#stats };
  }

  /**
   * Handles one raw message (string or bytes) from the `input` or `input-fast` channel of
   * connection number `stream` (a new connection restarts the numbering). Never throws.
   */
  handle(raw: unknown, stream = 0): DispatchOutcome {
    this.#stats.received++;
    let message: InputMessage;
    try {
      message = parseInputMessage(raw);
    } catch (error) {
      return this.#reject(error);
    }
    const seq = message.seq;
    if (seq === undefined) return this.#dispatch(message);
    if (stream !== this.#stream) {
      if (stream < this.#stream) return this.#duplicate();
      this.#stream = stream;
      this.#next = 1;
      this.#held.clear();
    }
    if (seq < this.#next || this.#held.has(seq)) return this.#duplicate();
    if (seq > this.#next) {
      this.#held.set(seq, message);
      if (this.#held.size <= MAX_HELD) return 'held';
      // The missing number never came on either channel: give it up rather than stall.
      this.#next = Math.min(...this.#held.keys());
      this.#drain();
      return 'held';
    }
    const outcome = this.#take(message);
    this.#drain();
    return outcome;
  }

  /** Injects the held messages that are now due, in order. */
  #drain(): void {
    while (this.#held.has(this.#next)) {
      const next = this.#held.get(this.#next) as InputMessage;
      this.#held.delete(this.#next);
      this.#take(next);
    }
  }

  #take(message: InputMessage): DispatchOutcome {
    this.#next++;
    return this.#dispatch(message);
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

  #dispatch(message: InputMessage): DispatchOutcome {
    if (this.#typing) {
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
      case 'text': {
        const typing = injector.typeText(message.text);
        if (typing) this.#wait(typing);
        return;
      }
    }
  }

  /** Holds every later message until `typing` settles, then injects them in order. */
  #wait(typing: Promise<void>): void {
    const settled = typing.then(
      () => undefined,
      (error: unknown) => {
        this.#stats.failed++;
        this.#options.onFailed?.(error);
      },
    );
    this.#typing = settled;
    void settled.then(() => {
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
