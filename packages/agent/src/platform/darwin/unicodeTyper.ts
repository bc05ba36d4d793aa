/**
 * @module platform/darwin/unicodeTyper
 * Types any text on macOS with the unicode-string API: a keyboard event for virtual
 * key 0 whose string is replaced by `CGEventKeyboardSetUnicodeString`, posted at the
 * HID tap (down, then up), so applications receive the characters whatever the input
 * source. libnut's own `typeString` does the same but one UTF-16 unit per event, which
 * breaks astral characters such as 😀 into halves. CoreGraphics is reached through
 * `koffi` (loaded at runtime, not a dependency yet, like the other macOS modules).
 *
 * UNTESTED on a Mac: written against Apple's documented C API; only the chunking is
 * tested here.
 */
import { importNative } from './nativeModules.js';

/** Applications read at most 20 UTF-16 units of an event's string. */
export const MAX_UNITS_PER_EVENT = 20;
/** `kCGHIDEventTap`. */
const HID_EVENT_TAP = 0;

/** `text` as UTF-16 units in pieces of at most `max`, never splitting a surrogate pair. */
export function utf16Chunks(text: string, max = MAX_UNITS_PER_EVENT): Uint16Array[] {
  const chunks: Uint16Array[] = [];
  let units: number[] = [];
  for (const char of text) {
    if (units.length + char.length > max) {
      chunks.push(Uint16Array.from(units));
      units = [];
    }
    for (let i = 0; i < char.length; i++) units.push(char.charCodeAt(i));
  }
  if (units.length > 0) chunks.push(Uint16Array.from(units));
  return chunks;
}

/** The part of koffi used here. */
interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
}

/** Types text through CoreGraphics. */
export interface UnicodeTyper {
  type(text: string): void;
}

/** Loads CoreGraphics through koffi; throws `AgentError('native_module_missing')` without koffi. */
export async function loadUnicodeTyper(): Promise<UnicodeTyper> {
  const koffi = await importNative<Koffi>('koffi');
  const services = koffi.load('/System/Library/Frameworks/ApplicationServices.framework/ApplicationServices');
  const foundation = koffi.load('/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation');
  const createKeyboardEvent = services.func(
    'void *CGEventCreateKeyboardEvent(void *source, uint16_t virtualKey, bool keyDown)',
  );
  const setUnicodeString = services.func(
    'void CGEventKeyboardSetUnicodeString(void *event, unsigned long length, const uint16_t *string)',
  );
  const post = services.func('void CGEventPost(uint32_t tap, void *event)');
  const release = foundation.func('void CFRelease(void *cf)');
  return {
    type(text) {
      for (const units of utf16Chunks(text)) {
        for (const down of [true, false]) {
          const event = createKeyboardEvent(null, 0, down);
          if (!event) continue;
          try {
            setUnicodeString(event, units.length, units);
            post(HID_EVENT_TAP, event);
          } finally {
            release(event);
          }
        }
      }
    },
  };
}
