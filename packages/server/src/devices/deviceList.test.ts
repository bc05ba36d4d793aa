/**
 * The device list's order and search without a server: versions compare as numbers, search
 * folds case beyond ASCII, a missing value sorts last in either order, ties keep the name order.
 */
import { describe, expect, it } from 'vitest';
import { compareVersions, matchesSearch, pageOfDevices } from './deviceList.js';
import type { DevicePageQuery } from './deviceList.js';

const row = (name: string, extra: Partial<Parameters<typeof matchesSearch>[0]> = {}) => ({
  id: `id-${name}`,
  name,
  primary_user_name: null,
  primary_user_email: null,
  os: 'linux',
  os_version: null,
  serial: null,
  revoked_at: null,
  compliance: 'not_evaluated',
  last_check_in_at: null,
  enrolled_at: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const query = (q: Partial<DevicePageQuery>): DevicePageQuery => ({
  sort: 'name',
  order: 'asc',
  limit: 50,
  offset: 0,
  ...q,
});

describe('device list', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('14.10', '14.9')).toBeGreaterThan(0);
    expect(compareVersions('10.0.19045', '10.0.22631')).toBeLessThan(0);
    expect(compareVersions('6', '6.1')).toBeLessThan(0);
    expect(compareVersions('14.5', '14.5')).toBe(0);
  });

  it('searches beyond ASCII case', () => {
    const müller = row('pc', { primary_user_name: 'Jörg Müller' });
    expect(matchesSearch(müller, 'MÜLLER')).toBe(true);
    expect(matchesSearch(row('ΣΟΦΙΑ-PC'), 'σοφια')).toBe(true);
    expect(matchesSearch(row('pc', { serial: 'abc' }), 'abd')).toBe(false);
  });

  it('puts a missing value last in either order; ties by name', () => {
    const rows = [
      row('c', { last_check_in_at: '2026-01-02T00:00:00.000Z' }),
      row('a'),
      row('b', { last_check_in_at: '2026-01-01T00:00:00.000Z' }),
      row('d'),
    ];
    const names = (q: Partial<DevicePageQuery>) => pageOfDevices(rows, query(q), () => false).rows.map((r) => r.name);
    expect(names({ sort: 'lastCheckIn' })).toEqual(['b', 'c', 'a', 'd']);
    expect(names({ sort: 'lastCheckIn', order: 'desc' })).toEqual(['c', 'b', 'a', 'd']);
  });

  it('devices with the same name: the older enrollment first, in either order of another column', () => {
    const rows = [
      row('vm', { id: 'z-new', enrolled_at: '2026-02-01T00:00:00.000Z' }),
      row('vm', { id: 'a-old', enrolled_at: '2026-01-01T00:00:00.000Z' }),
    ];
    expect(pageOfDevices(rows, query({}), () => false).rows.map((r) => r.id)).toEqual(['a-old', 'z-new']);
    expect(pageOfDevices(rows, query({ sort: 'online', order: 'desc' }), () => false).rows.map((r) => r.id)).toEqual([
      'a-old',
      'z-new',
    ]);
  });

  it('filters by online state and pages after sorting', () => {
    const rows = ['e', 'd', 'c', 'b', 'a'].map((n) => row(n));
    const online = (id: string) => id === 'id-a' || id === 'id-d';
    expect(pageOfDevices(rows, query({ online: 'online' }), online)).toMatchObject({
      rows: [{ name: 'a' }, { name: 'd' }],
      total: 2,
    });
    expect(pageOfDevices(rows, query({ limit: 2, offset: 2 }), online)).toMatchObject({
      rows: [{ name: 'c' }, { name: 'd' }],
      total: 5,
    });
  });
});
