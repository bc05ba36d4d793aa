import { AUDIT_ACTIONS, AuditCsvQuery, SessionReportCsvQuery, SessionReportQuery } from '@remote-help/protocol';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { changeRows } from './auditChange';
import {
  PAGE_SIZE,
  auditFilters,
  auditViewFromParams,
  csvFileName,
  dayOf,
  dayStart,
  paramsFromAuditView,
  paramsFromSessionsView,
  periodInverted,
  sessionFilters,
  sessionsViewFromParams,
} from './reportQuery';

describe('the sessions view in the address', () => {
  it('round-trips every filter and the page, and gives the contract exactly the filters', () => {
    const params = new URLSearchParams(
      'q=lena&status=ended&endReason=terminated_by_admin&deviceId=dev_1&helperId=h-1&sharerId=s1&from=2026-03-01&to=2026-03-03&page=2',
    );
    const view = sessionsViewFromParams(params);
    expect(paramsFromSessionsView(view).toString()).toBe(params.toString());
    const filters = sessionFilters(view);
    expect(filters).toEqual({
      q: 'lena',
      status: 'ended',
      endReason: 'terminated_by_admin',
      deviceId: 'dev_1',
      helperId: 'h-1',
      sharerId: 's1',
      from: new Date(2026, 2, 1).toISOString(),
      to: new Date(2026, 2, 4).toISOString(),
    });
    expect(SessionReportCsvQuery.safeParse(filters).success).toBe(true);
    expect(SessionReportQuery.safeParse({ ...filters, limit: PAGE_SIZE, offset: view.page * PAGE_SIZE }).success).toBe(
      true,
    );
  });

  it('drops what the contract would refuse instead of sending it', () => {
    const view = sessionsViewFromParams(
      new URLSearchParams('status=paused&endReason=exploded&deviceId=..%2Fetc&from=2026-02-30&to=yesterday&page=-3'),
    );
    expect(sessionFilters(view)).toEqual({});
    expect(view.page).toBe(0);
    expect(paramsFromSessionsView(view).toString()).toBe('');
  });

  it('a blank search is no filter', () => {
    expect(sessionFilters(sessionsViewFromParams(new URLSearchParams('q=%20%20')))).toEqual({});
  });
});

describe('the audit view in the address', () => {
  it('round-trips and passes the contract', () => {
    const params = new URLSearchParams('action=session.ended&actorType=user&actorId=a1&targetType=session&targetId=s1&page=1');
    const view = auditViewFromParams(params);
    expect(paramsFromAuditView(view).toString()).toBe(params.toString());
    expect(AuditCsvQuery.safeParse(auditFilters(view)).success).toBe(true);
  });

  it('an action outside the vocabulary is dropped', () => {
    expect(auditViewFromParams(new URLSearchParams('action=made.up&targetType=planet')).action).toBeNull();
  });
});

describe('calendar days', () => {
  it('accepts real days only', () => {
    expect([dayOf('2026-03-01'), dayOf('2024-02-29'), dayOf('2026-02-29'), dayOf('2026-3-1'), dayOf(null)]).toEqual([
      '2026-03-01',
      '2024-02-29',
      '',
      '',
      '',
    ]);
  });

  it('from is the local start of the day, to the start of the next (so the day is included)', () => {
    expect(dayStart('2026-03-01')).toBe(new Date(2026, 2, 1).toISOString());
    expect(dayStart('2026-12-31', 1)).toBe(new Date(2027, 0, 1).toISOString());
    expect(periodInverted({ from: '2026-03-02', to: '2026-03-01' })).toBe(true);
    expect(periodInverted({ from: '2026-03-01', to: '2026-03-01' })).toBe(false);
    expect(periodInverted({ from: '', to: '2026-03-01' })).toBe(false);
  });

  it('names an export after the local date and time', () => {
    expect(csvFileName('audit-log', new Date(2026, 2, 1, 9, 5, 7))).toBe('audit-log-20260301-090507.csv');
  });
});

describe('before → after', () => {
  it('lists every field of either side and marks the changed ones', () => {
    expect(changeRows({ a: 1, b: 'x' }, { a: 2, b: 'x', c: true })).toEqual([
      { field: 'a', before: 1, after: 2, changed: true },
      { field: 'b', before: 'x', after: 'x', changed: false },
      { field: 'c', before: undefined, after: true, changed: true },
    ]);
    expect(changeRows(null, { name: 'Finance' })).toEqual([
      { field: 'name', before: undefined, after: 'Finance', changed: true },
    ]);
    expect(changeRows(['u1'], ['u1', 'u2'])).toEqual([{ field: '', before: ['u1'], after: ['u1', 'u2'], changed: true }]);
  });
});

describe('words for the audit vocabulary', () => {
  it('English names every action the server may write', () => {
    const en = JSON.parse(readFileSync(new URL('../../i18n/locales/en.json', import.meta.url), 'utf8')) as {
      admin: { reports: { actions: Record<string, Record<string, string>> } };
    };
    for (const action of AUDIT_ACTIONS) {
      const [domain = '', event = ''] = action.split('.');
      expect(en.admin.reports.actions[domain]?.[event], action).toEqual(expect.any(String));
    }
  });
});
