/**
 * @module meContext
 * Who is signed in: the context filled by `MeProvider` and the `useMe` hook.
 */
import { createContext, useContext } from 'react';
import type { LanguageTag, Me } from '@remote-help/protocol';
import type { ApiError } from './api';

/** The sign-in state of the app. */
export type MeState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; me: Me }
  | { status: 'error'; error: ApiError };

/** What `useMe` returns. */
export interface MeContextValue {
  state: MeState;
  /** Loads `/api/v1/me` again (after an error). */
  reload: () => void;
  /** Signs out (`POST /auth/logout`) and goes to `/`. */
  signOut: () => Promise<void>;
  /**
   * The language picker's choice: a shipped tag, or null for the browser's language. Switches
   * the app at once and, when someone is signed in, saves it on the server for their next sign-in.
   */
  setLanguage: (language: LanguageTag | null) => Promise<void>;
}

/** Provided by `MeProvider`. */
export const MeContext = createContext<MeContextValue | null>(null);

/** The sign-in state; must be used under `MeProvider`. */
export function useMe(): MeContextValue {
  const value = useContext(MeContext);
  if (!value) throw new Error('useMe must be used inside <MeProvider>');
  return value;
}
