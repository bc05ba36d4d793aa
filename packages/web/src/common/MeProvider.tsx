/**
 * @module MeProvider
 * Loads `GET /api/v1/me` once, remembers the CSRF token for later POSTs, and offers sign-out.
 * The person's saved language wins over the browser's: the app switches to it before showing
 * them signed in. `setLanguage` (the language picker) switches and saves.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, setCsrfToken } from './api';
import type { LanguageTag } from '@remote-help/protocol';
import { switchLanguage } from '../i18n';
import { getMe, logout, setMyLanguage } from './endpoints';
import { MeContext } from './meContext';
import type { MeContextValue, MeState } from './meContext';

/** Provides {@link MeContext} to the app. */
export function MeProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<MeState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    getMe().then(
      async (me) => {
        if (cancelled) return;
        setCsrfToken(me.csrfToken);
        // A language that fails to load leaves the browser's; being signed in matters more.
        if (me.language !== null) await switchLanguage(me.language).catch(() => undefined);
        if (cancelled) return;
        setState({ status: 'signedIn', me });
      },
      (error: unknown) => {
        if (cancelled) return;
        setCsrfToken(null);
        const apiError = error instanceof ApiError ? error : new ApiError('internal_error', String(error));
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

  const signedIn = state.status === 'signedIn';
  const setLanguage = useCallback(
    async (language: LanguageTag | null) => {
      await switchLanguage(language);
      if (!signedIn) return;
      await setMyLanguage(language);
      setState((current) =>
        current.status === 'signedIn' ? { status: 'signedIn', me: { ...current.me, language } } : current,
      );
    },
    [signedIn],
  );

  const value = useMemo<MeContextValue>(
    () => ({ state, reload, signOut, setLanguage }),
    [state, reload, signOut, setLanguage],
  );
  return <MeContext.Provider value={value}>{children}</MeContext.Provider>;
}
