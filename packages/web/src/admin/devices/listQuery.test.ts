import { describe, expect, it } from 'vitest';
import { ListDevicesQuery } from '@remote-help/protocol';
import { DEFAULT_VIEW, PAGE_SIZE, paramsFromView, queryOfView, sortedBy, viewFromParams } from './listQuery';

describe('the All devices view in the address', () => {
  it('round-trips a view and keeps the address short for the default', () => {
    expect(paramsFromView(DEFAULT_VIEW).toString()).toBe('');
    const view = {
      ...DEFAULT_VIEW,
      search: 'lena',
      os: 'macos' as const,
      compliance: 'noncompliant' as const,
      online: 'online' as const,
      enrollment: 'all' as const,
      sort: 'lastCheckIn' as const,
      order: 'desc' as const,
      page: 2,
    };
    expect(viewFromParams(paramsFromView(view))).toEqual(view);
  });

  it('drops what it does not know instead of sending it', () => {
    const view = viewFromParams(new URLSearchParams('os=plan9&sort=color&order=up&page=-3&online=yes&compliance=x'));
    expect(view).toEqual(DEFAULT_VIEW);
    expect(viewFromParams(new URLSearchParams('page=1.5')).page).toBe(0);
  });

  it('makes a query the contract accepts, paged by PAGE_SIZE', () => {
    const query = queryOfView({ ...DEFAULT_VIEW, search: '  c02 ', page: 3 });
    expect(ListDevicesQuery.parse(query)).toMatchObject({ search: 'c02', limit: PAGE_SIZE, offset: 3 * PAGE_SIZE });
    expect(
      ListDevicesQuery.safeParse(queryOfView(viewFromParams(new URLSearchParams('search=' + 'x'.repeat(500))))).success,
    ).toBe(true);
  });

  it('a header click sorts by its column, then the other way, from the first page', () => {
    const byOs = sortedBy({ ...DEFAULT_VIEW, page: 4 }, 'os');
    expect(byOs).toMatchObject({ sort: 'os', order: 'asc', page: 0 });
    expect(sortedBy(byOs, 'os')).toMatchObject({ sort: 'os', order: 'desc' });
    expect(sortedBy(sortedBy(byOs, 'os'), 'name')).toMatchObject({ sort: 'name', order: 'asc' });
  });
});
