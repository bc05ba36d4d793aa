/**
 * @module platform/darwin/nativeModules
 * Loads macOS-only native modules at runtime, so the agent compiles and runs on
 * other systems without them. UNTESTED: written against the packages' documented
 * APIs; nobody has run it on a Mac yet.
 */
import { AgentError } from '../../errors.js';

/** `await import(name)` with a clear `AgentError('native_module_missing')` when it is not installed. */
export async function importNative<T>(name: string): Promise<T> {
  try {
    // A variable specifier keeps TypeScript from resolving packages that exist only on macOS.
    const specifier: string = name;
    const loaded = (await import(specifier)) as { default?: unknown };
    return (loaded.default ?? loaded) as T;
  } catch (error) {
    throw AgentError.nativeModuleMissing(name, error);
  }
}

/** Reads a field that some versions expose as a property and others as a method (node-screenshots 0.2 vs 0.3+). */
export function field<T>(object: object, name: string): T {
  const value = (object as Record<string, unknown>)[name];
  return (typeof value === 'function' ? (value as () => unknown).call(object) : value) as T;
}
