/**
 * @module admin/reports/signInQuery
 * The sign-in log keeps its search, decision filter and page in the address, like the other
 * reports (`reportQuery`), read back strictly: a value the contract would refuse is dropped.
 * The page here counts from 0 (the shared pager's); the contract's counts from 1.
 */
import type { SignInLogQuery } from '@remote-help/protocol';
import { PAGE_SIZE } from './reportQuery';

export interface SignInsView {
  q: string;
  decision: 'allowed' | 'blocked' | null;
  page: number;
}

export function signInsViewFromParams(params: URLSearchParams): SignInsView {
  const decision = params.get('decision');
  const page = Number(params.get('page'));
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    decision: decision === 'allowed' || decision === 'blocked' ? decision : null,
    page: Number.isInteger(page) && page > 0 && page < 10_000 ? page : 0,
  };
}

export function paramsFromSignInsView(v: SignInsView): URLSearchParams {
  const params = new URLSearchParams();
  if (v.q.trim()) params.set('q', v.q);
  if (v.decision) params.set('decision', v.decision);
  if (v.page) params.set('page', String(v.page));
  return params;
}

/** The query the contract takes for this view. */
export function signInQuery(v: SignInsView): SignInLogQuery {
  const q = v.q.trim();
  return {
    page: v.page + 1,
    pageSize: PAGE_SIZE,
    ...(v.decision ? { decision: v.decision } : {}),
    ...(q ? { q } : {}),
  };
}

export const signInsFiltered = (v: SignInsView): boolean => Boolean(v.q.trim() || v.decision);
