/**
 * @module meContext
 * Who is signed in: the context filled by `MeProvider` and the `useMe` hook.
 */
import { createContext, useContext } from 'react';
import type { Me } from '@remote-help/protocol';
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
}

/** Provided by `MeProvider`. */
export const MeContext = createContext<MeContextValue | null>(null);

/** The sign-in state; must be used under `MeProvider`. */
export function useMe(): MeContextValue {
  const value = useContext(MeContext);
  if (!value) throw new Error('useMe must be used inside <MeProvider>');
  return value;
}
