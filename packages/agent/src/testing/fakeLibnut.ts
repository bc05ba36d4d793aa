/**
 * @module testing/fakeLibnut
 * A libnut stand-in that records calls, for unit tests of the injector and dispatcher.
 */
import type { LibnutModule } from '../platform/libnutInjector.js';

export type NutCall = [name: string, ...args: unknown[]];

export function fakeLibnut(): LibnutModule & { calls: NutCall[] } {
  const calls: NutCall[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]): void => {
      calls.push([name, ...args]);
    };
  return {
    calls,
    setMouseDelay: record('setMouseDelay'),
    setKeyboardDelay: record('setKeyboardDelay'),
    moveMouse: record('moveMouse'),
    mouseToggle: record('mouseToggle'),
    scrollMouse: record('scrollMouse'),
    keyToggle: record('keyToggle'),
    typeString: record('typeString'),
    getMousePos: () => ({ x: 0, y: 0 }),
  };
}
