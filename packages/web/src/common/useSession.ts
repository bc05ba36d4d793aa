/**
 * @module useSession
 * Holds the one session an app is in. The `session` frames pushed over the signaling
 * socket are the source of truth; REST replies are applied too (so the screen moves
 * even when the socket lags) but never move a session backwards. Keeps
 * `?session=<id>` in the URL so that a reload resumes the same session.
 */
import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Role, SessionView } from '@remote-help/protocol';
import { ApiError } from './api';
import { getSession } from './endpoints';
import { newerSession as newer } from './sessionOrder';
import type { SignalingClient } from './SignalingClient';

/** Thrown when a `?session=` link belongs to the other app (e.g. a sharer opening `/help`). */
export class WrongRoleError extends Error {
  readonly role: Role;
  constructor(role: Role) {
    super(`This session is for the ${role}.`);
    this.name = 'WrongRoleError';
    this.role = role;
  }
}

/** The current session and how to change it. */
export interface SessionController {
  session: SessionView | null;
  /** True while a session named in the URL is being loaded. */
  loading: boolean;
  /** Why the session in the URL could not be resumed (an `ApiError` or `WrongRoleError`). */
  loadError: unknown;
  /** Applies a session returned by a REST call (starting the session if there is none). */
  adopt: (session: SessionView) => void;
  /** Leaves the session behind (after it ended): back to the start screen. */
  reset: () => void;
  /** Hides `loadError`. */
  clearLoadError: () => void;
}

/** Tracks the session of one participant (`role`) through `signaling`. */
export function useSession(signaling: SignalingClient, role: Role): SessionController {
  const [searchParams, setSearchParams] = useSearchParams();
  const urlId = searchParams.get('session');
  const [initialId] = useState(urlId);
  const [session, setSession] = useState<SessionView | null>(null);
  const [loading, setLoading] = useState(initialId !== null);
  const [loadError, setLoadError] = useState<unknown>(null);

  const setUrlId = useCallback(
    (id: string | null) => {
      setSearchParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (id) next.set('session', id);
          else next.delete('session');
          return next;
        },
        { replace: true },
      );
    },
    [setSearchParams],
  );

  // Resume the session named in the URL.
  useEffect(() => {
    if (!initialId) return;
    let cancelled = false;
    getSession(initialId).then(
      (loaded) => {
        if (cancelled) return;
        if (loaded.role !== role) setLoadError(new WrongRoleError(loaded.role));
        else setSession((current) => newer(current, loaded));
        setLoading(false);
      },
      (error: unknown) => {
        if (cancelled) return;
        setLoadError(error instanceof ApiError ? error : new ApiError('internal_error', String(error)));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [initialId, role]);

  // Drop a URL that could not be resumed, so that "start over" starts clean.
  useEffect(() => {
    if (loadError && urlId) setUrlId(null);
  }, [loadError, urlId, setUrlId]);

  // Attach to the session and follow the pushed state.
  const id = session?.id;
  useEffect(() => {
    if (!id) return;
    const off = signaling.on('session', (pushed) => {
      if (pushed.id === id) setSession(pushed);
    });
    signaling.attach(id);
    return () => {
      off();
      signaling.detach(id);
    };
  }, [id, signaling]);

  // Put the session in the URL once we are in one.
  useEffect(() => {
    if (id && urlId !== id) setUrlId(id);
  }, [id, urlId, setUrlId]);

  const adopt = useCallback((next: SessionView) => {
    setLoadError(null);
    setSession((current) => newer(current, next));
  }, []);

  const reset = useCallback(() => {
    setSession(null);
    setLoadError(null);
    setUrlId(null);
  }, [setUrlId]);

  const clearLoadError = useCallback(() => setLoadError(null), []);

  return {
    session,
    loading,
    loadError,
    adopt,
    reset,
    clearLoadError,
  };
}
