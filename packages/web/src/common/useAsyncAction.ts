/**
 * @module useAsyncAction
 * Runs one user action at a time and keeps its error, so buttons can show progress
 * and screens can show a translated failure.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** State and runner of an async user action. */
export interface AsyncAction {
  busy: boolean;
  error: unknown;
  /** Runs `action` unless one is already running; its failure is kept in `error`. */
  run: (action: () => Promise<void>) => void;
  setError: (error: unknown) => void;
  clearError: () => void;
}

/** See the module description. */
export function useAsyncAction(): AsyncAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback((action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    action()
      .catch((failure: unknown) => {
        if (mounted.current) setError(failure);
      })
      .finally(() => {
        running.current = false;
        if (mounted.current) setBusy(false);
      });
  }, []);

  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, setError, clearError };
}
