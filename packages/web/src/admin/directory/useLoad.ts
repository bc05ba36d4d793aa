/**
 * @module admin/directory/useLoad
 * Loads what a directory page shows and says whether it is loading, ready or failed; `reload`
 * loads again (after a change, or "Try again"). A load that a newer one replaced is ignored.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type LoadState<T> =
  { status: 'loading'; data?: T } | { status: 'ready'; data: T } | { status: 'error'; error: unknown; data?: T };

/** See the module description. `key` changes → loads again (e.g. a search or a page). */
export function useLoad<T>(load: () => Promise<T>, key: string): { state: LoadState<T>; reload: () => void } {
  const [state, setState] = useState<LoadState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    const ticket = ++latest.current;
    // Keep what is shown while the next page loads, so the table does not jump.
    setState((previous) => ({ status: 'loading', ...(previous.data !== undefined ? { data: previous.data } : {}) }));
    loader.current().then(
      (data) => {
        if (ticket === latest.current) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (ticket === latest.current) setState((previous) => ({ status: 'error', error, data: previous.data }));
      },
    );
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { state, reload };
}
