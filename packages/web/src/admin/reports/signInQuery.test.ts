import { SignInLogQuery } from '@remote-help/protocol';
import { describe, expect, it } from 'vitest';
import { paramsFromSignInsView, signInQuery, signInsFiltered, signInsViewFromParams } from './signInQuery';

describe('sign-in log view in the address', () => {
  it('round-trips search, decision and page, and asks the contract for page + 1', () => {
    const view = signInsViewFromParams(new URLSearchParams('q=ana&decision=blocked&page=2'));
    expect(view).toEqual({ q: 'ana', decision: 'blocked', page: 2 });
    expect(signInsViewFromParams(paramsFromSignInsView(view))).toEqual(view);
    const query = signInQuery(view);
    expect(query).toEqual({ page: 3, pageSize: 50, decision: 'blocked', q: 'ana' });
    expect(SignInLogQuery.parse(query)).toEqual(query);
    expect(signInsFiltered(view)).toBe(true);
  });

  it('drops what the contract would refuse, and an empty view asks for the first page of everything', () => {
    const view = signInsViewFromParams(new URLSearchParams('decision=maybe&page=-1&q=' + 'x'.repeat(300)));
    expect(view.decision).toBeNull();
    expect(view.page).toBe(0);
    expect(SignInLogQuery.safeParse(signInQuery(view)).success).toBe(true);
    const empty = signInsViewFromParams(new URLSearchParams());
    expect(signInQuery(empty)).toEqual({ page: 1, pageSize: 50 });
    expect(paramsFromSignInsView(empty).toString()).toBe('');
    expect(signInsFiltered({ ...empty, q: '   ' })).toBe(false);
  });
});
