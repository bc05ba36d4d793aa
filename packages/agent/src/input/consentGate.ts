/**
 * @module input/consentGate
 * The one place that decides whether helper input may reach this machine. Input is
 * injected only while all three hold:
 *  1. the server says the session is in full control (`mode === 'control'`),
 *  2. the local user allowed full control in the agent UI, and
 *  3. the local user has not revoked it since,
 * and sharing is neither paused by the local user nor held because the display went
 * away. A pause or a lost display does not consume consent: resuming continues in the
 * same mode without a new Allow.
 * The gate enforces this itself, whatever the server or the helper send. Consent is
 * consumed when a full-control period ends: if the server later switches back to
 * `control`, the local user has to allow again.
 */
import type { SessionMode } from '@remote-help/protocol';

/** Why input is currently refused (null when it is allowed). */
export type ConsentBlockReason = 'paused' | 'display_unavailable' | 'not_control_mode' | 'no_local_consent' | 'revoked';

/** What the gate knows. */
export interface ConsentState {
  mode: SessionMode | null;
  localConsent: boolean;
  revoked: boolean;
  /** The local user paused sharing. */
  paused: boolean;
  /** The shared display is gone (X server died); input would land nowhere or crash. */
  displayUnavailable: boolean;
}

/** Something holding keys and buttons down that must let go when consent ends. */
export interface Releasable {
  releaseAll(): void;
}

type Listener = (allowed: boolean, state: Readonly<ConsentState>) => void;

/** Gatekeeper between incoming input messages and the injector. */
export class ConsentGate {
  #state: ConsentState = {
    mode: null,
    localConsent: false,
    revoked: false,
    paused: false,
    displayUnavailable: false,
  };
  readonly #target: Releasable;
  readonly #listeners = new Set<Listener>();
  #blocked = 0;

  constructor(target: Releasable) {
    this.#target = target;
  }

  /** Whether an input event arriving now may be injected. */
  get allowed(): boolean {
    return this.blockReason() === null;
  }

  /** Number of events refused so far. */
  get blockedCount(): number {
    return this.#blocked;
  }

  state(): Readonly<ConsentState> {
    return { ...this.#state };
  }

  blockReason(): ConsentBlockReason | null {
    const { mode, localConsent, revoked, paused, displayUnavailable } = this.#state;
    if (paused) return 'paused';
    if (displayUnavailable) return 'display_unavailable';
    if (revoked) return 'revoked';
    if (mode !== 'control') return 'not_control_mode';
    if (!localConsent) return 'no_local_consent';
    return null;
  }

  /** The session mode from the server (`null` before the session is active or after it ended). */
  setSessionMode(mode: SessionMode | null): void {
    this.#update(() => {
      const endsControl = this.#state.mode === 'control' && mode !== 'control';
      this.#state.mode = mode;
      if (endsControl) this.#state.localConsent = false;
    });
  }

  /** The local user's answer in the agent UI. Allowing again clears an earlier revoke. */
  setLocalConsent(allowed: boolean): void {
    this.#update(() => {
      this.#state.localConsent = allowed;
      if (allowed) this.#state.revoked = false;
    });
  }

  /**
   * The local user paused (or resumed) sharing. Whatever the server or the helper say,
   * nothing is injected while paused; held input is released when the pause begins.
   * Resuming keeps the consent given before the pause.
   */
  setPaused(paused: boolean): void {
    this.#update(() => {
      this.#state.paused = paused;
    });
  }

  /** The shared display went away (true) or is back (false); consent is kept. */
  setDisplayUnavailable(unavailable: boolean): void {
    this.#update(() => {
      this.#state.displayUnavailable = unavailable;
    });
  }

  /**
   * The local user's "stop control". Takes effect before the next event and always
   * releases held keys and buttons, even if input was not allowed a moment ago.
   */
  revoke(): void {
    const released = this.#update(() => {
      this.#state.revoked = true;
    });
    if (!released) this.#release();
  }

  /** Runs `inject` if input is allowed right now; returns whether it ran. */
  run(inject: () => void): boolean {
    if (!this.allowed) {
      this.#blocked++;
      return false;
    }
    inject();
    return true;
  }

  /** Subscribes to changes of `allowed`; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies `change`; releases held input when it closed the gate, and says whether it did. */
  #update(change: () => void): boolean {
    const before = this.allowed;
    change();
    const after = this.allowed;
    if (before && !after) this.#release();
    if (before !== after) for (const listener of this.#listeners) listener(after, this.state());
    return before && !after;
  }

  #release(): void {
    this.#target.releaseAll();
  }
}
