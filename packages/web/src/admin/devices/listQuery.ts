/**
 * @module admin/devices/listQuery
 * The All devices page keeps its search, filters, sort and page in the address
 * (`?search=…&os=…&sort=…&order=…&page=…`), so a reload, a shared link or "back" from a
 * device page shows the same view. This turns the address into the contract's
 * `listDevices` query and back; anything it does not know is dropped, never sent.
 */
import { ComplianceState, DeviceSortKey, Inventory } from '@remote-help/protocol';
import type { ListDevicesQuery } from '@remote-help/protocol';

/** Devices per page. */
export const PAGE_SIZE = 25;

/** The page's view: what the address says, with defaults. */
export interface DeviceListView {
  search: string;
  os: Inventory['os'] | null;
  enrollment: 'enrolled' | 'revoked' | 'all';
  compliance: ComplianceState | null;
  online: 'online' | 'offline' | null;
  sort: DeviceSortKey;
  order: 'asc' | 'desc';
  /** 0-based. */
  page: number;
}

export const DEFAULT_VIEW: DeviceListView = {
  search: '',
  os: null,
  enrollment: 'enrolled',
  compliance: null,
  online: null,
  sort: 'name',
  order: 'asc',
  page: 0,
};

/** `value` when it is one of `options`, else null (an address value the page does not know). */
export const oneOf = <T extends string>(value: string | null, options: readonly T[]): T | null =>
  value !== null && (options as readonly string[]).includes(value) ? (value as T) : null;

/** The 0-based page an address's 1-based `page` names; 0 for a missing, malformed or absurd one. */
export function pageFromParams(params: URLSearchParams): number {
  const page = Number(params.get('page') ?? '1');
  return Number.isInteger(page) && page >= 1 && page <= 40_000 ? page - 1 : 0;
}

/** The view the address describes (unknown or malformed values fall back to the default). */
export function viewFromParams(params: URLSearchParams): DeviceListView {
  return {
    search: (params.get('search') ?? '').slice(0, 128),
    os: oneOf(params.get('os'), Inventory.shape.os.options),
    enrollment: oneOf(params.get('enrollment'), ['enrolled', 'revoked', 'all'] as const) ?? 'enrolled',
    compliance: oneOf(params.get('compliance'), ComplianceState.options),
    online: oneOf(params.get('online'), ['online', 'offline'] as const),
    sort: oneOf(params.get('sort'), DeviceSortKey.options) ?? 'name',
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    page: pageFromParams(params),
  };
}

/** The address of a view: only what differs from the default. */
export function paramsFromView(view: DeviceListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.search.trim()) params.set('search', view.search.trim());
  if (view.os) params.set('os', view.os);
  if (view.enrollment !== 'enrolled') params.set('enrollment', view.enrollment);
  if (view.compliance) params.set('compliance', view.compliance);
  if (view.online) params.set('online', view.online);
  if (view.sort !== 'name') params.set('sort', view.sort);
  if (view.order !== 'asc') params.set('order', view.order);
  if (view.page > 0) params.set('page', String(view.page + 1));
  return params;
}

/** The `listDevices` query of a view. */
export function queryOfView(view: DeviceListView): ListDevicesQuery {
  return {
    ...(view.search.trim() ? { search: view.search.trim() } : {}),
    ...(view.os ? { os: view.os } : {}),
    enrollment: view.enrollment,
    ...(view.compliance ? { compliance: view.compliance } : {}),
    ...(view.online ? { online: view.online } : {}),
    sort: view.sort,
    order: view.order,
    limit: PAGE_SIZE,
    offset: view.page * PAGE_SIZE,
  };
}

/** The view after a click on a column header: that column ascending, or the other way when it is sorted already. */
export function sortedBy(view: DeviceListView, sort: DeviceSortKey): DeviceListView {
  const order = view.sort === sort && view.order === 'asc' ? 'desc' : 'asc';
  return { ...view, sort, order, page: 0 };
}
