/**
 * @module admin/directory/listViews
 * All users and Groups keep their search, filter and page in the address (`?search=…&status=…&page=…`,
 * `?search=…&type=…`), as All devices does: a reload, a shared link or "back" from a person's or
 * a group's page shows the list as it was left. These turn the address into each list's view and
 * back; anything they do not know falls back to the default and is never sent.
 */
import type { ListUsersQuery } from '@remote-help/protocol';
import { oneOf, pageFromParams } from '../devices/listQuery';

/** People per page of All users. */
export const USER_PAGE_SIZE = 25;
/** The longest search the server takes (`ListUsersQuery`). */
const MAX_SEARCH = 128;

export type UserStatus = 'all' | 'enabled' | 'disabled';

/** All users as the address describes it. */
export interface UserListView {
  search: string;
  status: UserStatus;
  /** 0-based. */
  page: number;
}

export const DEFAULT_USER_VIEW: UserListView = { search: '', status: 'all', page: 0 };

export type GroupKind = 'all' | 'user' | 'device';

/** Groups as the address describes it. */
export interface GroupListView {
  search: string;
  kind: GroupKind;
}

export const DEFAULT_GROUP_VIEW: GroupListView = { search: '', kind: 'all' };

const searchOf = (params: URLSearchParams): string => (params.get('search') ?? '').slice(0, MAX_SEARCH);

export function userViewFromParams(params: URLSearchParams): UserListView {
  return {
    search: searchOf(params),
    status: oneOf(params.get('status'), ['all', 'enabled', 'disabled'] as const) ?? 'all',
    page: pageFromParams(params),
  };
}

/** The address of a view: only what differs from the default. */
export function paramsFromUserView(view: UserListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.search.trim()) params.set('search', view.search.trim());
  if (view.status !== 'all') params.set('status', view.status);
  if (view.page > 0) params.set('page', String(view.page + 1));
  return params;
}

/** The `listUsers` query of a view. */
export function queryOfUserView(view: UserListView): ListUsersQuery {
  return {
    ...(view.search.trim() ? { search: view.search.trim() } : {}),
    status: view.status,
    limit: USER_PAGE_SIZE,
    offset: view.page * USER_PAGE_SIZE,
  };
}

export function groupViewFromParams(params: URLSearchParams): GroupListView {
  return { search: searchOf(params), kind: oneOf(params.get('type'), ['user', 'device'] as const) ?? 'all' };
}

/** The address of a view: only what differs from the default. */
export function paramsFromGroupView(view: GroupListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.search.trim()) params.set('search', view.search.trim());
  if (view.kind !== 'all') params.set('type', view.kind);
  return params;
}
