import { describe, expect, it } from 'vitest';
import { ListUsersQuery } from '@remote-help/protocol';
import {
  DEFAULT_GROUP_VIEW,
  DEFAULT_USER_VIEW,
  USER_PAGE_SIZE,
  groupViewFromParams,
  paramsFromGroupView,
  paramsFromUserView,
  queryOfUserView,
  userViewFromParams,
} from './listViews';

describe('All users in the address', () => {
  it('round-trips a view and keeps the address empty for the default', () => {
    expect(paramsFromUserView(DEFAULT_USER_VIEW).toString()).toBe('');
    const view = { search: 'dana', status: 'disabled' as const, page: 2 };
    expect(paramsFromUserView(view).toString()).toBe('search=dana&status=disabled&page=3');
    expect(userViewFromParams(paramsFromUserView(view))).toEqual(view);
  });

  it('falls back to the default for what it does not know', () => {
    expect(userViewFromParams(new URLSearchParams('status=deleted&page=0'))).toEqual(DEFAULT_USER_VIEW);
    expect(userViewFromParams(new URLSearchParams('page=1.5')).page).toBe(0);
    expect(userViewFromParams(new URLSearchParams('page=40001')).page).toBe(0);
    expect(userViewFromParams(new URLSearchParams(`search=${'x'.repeat(500)}`)).search).toHaveLength(128);
  });

  it('makes a query the contract accepts, paged by USER_PAGE_SIZE', () => {
    const query = queryOfUserView({ search: '  whitf ', status: 'enabled', page: 3 });
    expect(ListUsersQuery.parse(query)).toEqual({
      search: 'whitf',
      status: 'enabled',
      limit: USER_PAGE_SIZE,
      offset: 3 * USER_PAGE_SIZE,
    });
    // The highest page the address can name still makes a valid offset.
    expect(() =>
      ListUsersQuery.parse(queryOfUserView(userViewFromParams(new URLSearchParams('page=40000')))),
    ).not.toThrow();
    expect(ListUsersQuery.parse(queryOfUserView(DEFAULT_USER_VIEW))).not.toHaveProperty('search');
  });
});

describe('Groups in the address', () => {
  it('round-trips a view and keeps the address empty for the default', () => {
    expect(paramsFromGroupView(DEFAULT_GROUP_VIEW).toString()).toBe('');
    const view = { search: 'Finance', kind: 'device' as const };
    expect(paramsFromGroupView(view).toString()).toBe('search=Finance&type=device');
    expect(groupViewFromParams(paramsFromGroupView(view))).toEqual(view);
  });

  it('falls back to all groups for an unknown type', () => {
    expect(groupViewFromParams(new URLSearchParams('type=printer'))).toEqual(DEFAULT_GROUP_VIEW);
  });
});
