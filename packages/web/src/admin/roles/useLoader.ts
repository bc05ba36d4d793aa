/**
 * @module admin/roles/useLoader
 * Loads data for an admin page: loading, the failure (an `ApiError`), or the data, and a
 * `reload` after a change. A reply that arrives after the page went away is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of one load. */
export type Loaded<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/** See the module description; `load` should be stable (module function or `useCallback`). */
export function useLoader<T>(load: () => Promise<T>): { state: Loaded<T>; reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (data) => {
        if (generation.current === mine) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (generation.current === mine) setState({ status: 'error', error });
      },
    );
  }, [load]);

  useEffect(() => {
    reload();
    const current = generation;
    return () => {
      // Whatever is still loading belongs to a page that is gone.
      current.current++;
    };
  }, [reload]);

  return { state, reload };
}
