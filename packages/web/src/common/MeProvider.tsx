/**
 * @module MeProvider
 * Loads `GET /api/v1/me` once, remembers the CSRF token for later POSTs, and offers sign-out.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, setCsrfToken } from './api';
import { getMe, logout } from './endpoints';
import { MeContext } from './meContext';
import type { MeContextValue, MeState } from './meContext';

/** Provides {@link MeContext} to the app. */
export function MeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<MeState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    getMe().then(
      (me) => {
        if (cancelled) return;
        setCsrfToken(me.csrfToken);
        setState({ status: 'signedIn', me });
      },
      (error: unknown) => {
        if (cancelled) return;
        setCsrfToken(null);
        const apiError = error instanceof ApiError ? error : new ApiError(0, 'internal_error', String(error));
        setState(
          apiError.code === 'authentication_required' ? { status: 'signedOut' } : { status: 'error', error: apiError },
        );
      },
    );
    return () => {
      cancelled = true;
    };
  }, [generation]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setGeneration((n) => n + 1);
  }, []);

  const signOut = useCallback(async () => {
    await logout();
    setCsrfToken(null);
    // A full page load drops every piece of state that belonged to the signed-in person.
    window.location.assign('/');
  }, []);

  const value = useMemo<MeContextValue>(() => ({ state, reload, signOut }), [state, reload, signOut]);
  return <MeContext.Provider value={value}>{children}</MeContext.Provider>;
}
