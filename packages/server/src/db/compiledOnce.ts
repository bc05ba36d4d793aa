/**
 * @module db/compiledOnce
 * A query whose SQL Kysely builds and compiles once, then runs again with new values. Kysely
 * builds an immutable tree and compiles it to SQL on every call; for a query of five joins
 * (the sign-in cookie's, on every API request and every WebSocket) that took ≈ 60 µs a call,
 * more than running it. The query is built with a marker value in each slot, compiled by the
 * database's own compiler (so the SQL is the engine's), and every later call copies the
 * compiled query with the markers replaced by the call's values. Values still travel as bound
 * parameters, never in the SQL text.
 */
import type { Compilable, CompiledQuery } from 'kysely';

const MARKER = '\u0000rh-slot:';

/**
 * `build` gets `slot(name)`, a stand-in value to use where the query takes `name`; the result
 * takes the values by name and gives the compiled query to run (`db.executeQuery`). Every slot
 * must end up as a bound parameter (checked on the first compile).
 */
export function compiledOnce<K extends string, R>(
  build: (slot: (name: K) => string) => Compilable<R>,
): (values: Record<K, unknown>) => CompiledQuery<R> {
  let template: { query: CompiledQuery<R>; slots: (K | null)[] } | undefined;
  return (values) => {
    if (!template) {
      const names = new Set<K>();
      const query = build((name) => {
        names.add(name);
        return MARKER + name;
      }).compile();
      const slots = query.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(MARKER) ? (p.slice(MARKER.length) as K) : null,
      );
      for (const name of names) {
        if (!slots.includes(name)) throw new Error(`compiledOnce: slot ${name} is not a bound parameter`);
      }
      if (query.sql.includes(MARKER)) throw new Error('compiledOnce: a slot was written into the SQL text');
      template = { query, slots };
    }
    const { query, slots } = template;
    return { ...query, parameters: slots.map((name, i) => (name === null ? query.parameters[i] : values[name])) };
  };
}
