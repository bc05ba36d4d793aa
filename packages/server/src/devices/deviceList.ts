/**
 * @module devices/deviceList
 * The device list's search, online filter, sort and paging over rows the repo already
 * filtered by tenant, enrollment, OS and compliance (and the service by scope). Pure, so the
 * order is tested without a server. Search folds case with the full Unicode rules
 * (`Müller` finds `MÜLLER`), which SQLite's `LIKE` does only for ASCII.
 */
import type { DeviceSortKey } from '@remote-help/protocol';
import type { DeviceListRow } from './repo.js';

/** What the page needs of the query (defaults applied). */
export interface DevicePageQuery {
  search?: string | undefined;
  online?: 'online' | 'offline' | undefined;
  sort: DeviceSortKey;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

type Row = Pick<
  DeviceListRow,
  | 'id'
  | 'name'
  | 'primary_user_name'
  | 'primary_user_email'
  | 'os'
  | 'os_version'
  | 'serial'
  | 'revoked_at'
  | 'compliance'
  | 'last_check_in_at'
  | 'enrolled_at'
>;

const fold = (text: string): string => text.normalize('NFKC').toLocaleLowerCase('und');

const collator = new Intl.Collator('und', { sensitivity: 'base', numeric: true });

/** Compares dotted versions numerically (`14.10` after `14.9`); text segments by collation. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_ ]/);
  const pb = b.split(/[.\-_ ]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = Number.isNaN(nx) || Number.isNaN(ny) ? collator.compare(x, y) : nx - ny;
    if (c !== 0) return c;
  }
  return 0;
}

const COMPLIANCE_RANK: Record<string, number> = { compliant: 0, noncompliant: 1, not_evaluated: 2 };

/** A value to sort by, or null (always last, in either order). */
type Key = string | number | null;

function keyOf(row: Row, sort: DeviceSortKey, online: boolean): Key {
  switch (sort) {
    case 'name':
      return row.name;
    case 'primaryUser':
      return row.primary_user_name;
    case 'os':
      return row.os;
    case 'enrollmentStatus':
      return row.revoked_at ? 1 : 0;
    case 'compliance':
      return COMPLIANCE_RANK[row.compliance] ?? 3;
    case 'lastCheckIn':
      return row.last_check_in_at;
    case 'online':
      return online ? 1 : 0;
  }
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Whether a row matches the search: its name, its primary user's name or email, or its serial number. */
export function matchesSearch(row: Row, search: string): boolean {
  const needle = fold(search);
  return [row.name, row.primary_user_name, row.primary_user_email, row.serial].some(
    (value) => value !== null && fold(value).includes(needle),
  );
}

/** Searches, filters by online state, sorts (ties by name, then enrollment time, then id) and cuts one page. */
export function pageOfDevices<R extends Row>(
  rows: readonly R[],
  query: DevicePageQuery,
  isOnline: (id: string) => boolean,
): { rows: R[]; total: number } {
  const online = new Map(rows.map((row) => [row.id, isOnline(row.id)]));
  const search = query.search?.trim();
  const matching = rows.filter(
    (row) =>
      (!search || matchesSearch(row, search)) && (!query.online || online.get(row.id) === (query.online === 'online')),
  );
  const direction = query.order === 'desc' ? -1 : 1;
  const sorted = matching
    .map((row) => ({ row, key: keyOf(row, query.sort, online.get(row.id) ?? false) }))
    .sort((a, b) => {
      if (a.key === null || b.key === null) {
        if (a.key !== b.key) return a.key === null ? 1 : -1;
      } else {
        const c =
          query.sort === 'os'
            ? compareKeys(a.key, b.key) || compareVersions(a.row.os_version ?? '', b.row.os_version ?? '')
            : compareKeys(a.key, b.key);
        if (c !== 0) return c * direction;
      }
      // Ties: by name, then the older enrollment first (devices often share a host name), then id.
      return (
        collator.compare(a.row.name, b.row.name) ||
        (a.row.enrolled_at < b.row.enrolled_at ? -1 : a.row.enrolled_at > b.row.enrolled_at ? 1 : 0) ||
        (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0)
      );
    })
    .map(({ row }) => row);
  return { rows: sorted.slice(query.offset, query.offset + query.limit), total: sorted.length };
}
