/**
 * Reports and audit (issue 8, item 7) in real browsers: a helper and a sharer run a view-only
 * session; the administrator sees it in Monitor with both people connected, ends it there
 * (confirmed), and the helper's and the sharer's pages say an administrator ended it. The
 * session is in Remote Help sessions with its end reason and highest mode; both CSV exports
 * are downloaded through their buttons and read back; the audit log shows a settings change
 * before → after.
 */
import { readFileSync } from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { expect as baseExpect, test } from '@playwright/test';
import { closeContexts, joinedPair, shot, signIn, startViewing } from './support.js';

test.afterEach(closeContexts);

// Pages of this journey load over a shared, loaded machine (a page load has taken 12 s): waits are longer.
const expect = baseExpect.configure({ timeout: 30_000 });

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; rows end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text.charAt(i + 1) === '\n') {
      rows.push([...row, field]);
      [row, field] = [[], ''];
      i++;
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

/** Clicks an export button and reads the file the browser saved: BOM checked, then rows. */
async function downloadCsv(page: Page, testId: string, namePattern: RegExp): Promise<string[][]> {
  const [download] = (await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()])) as [
    Download,
    unknown,
  ];
  expect(download.suggestedFilename()).toMatch(namePattern);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  await expect(page.getByTestId(`${testId}-done`)).toContainText(download.suggestedFilename());
  return parseCsv(bytes.subarray(3).toString('utf8'));
}

test('an administrator monitors a live session, ends it, finds it in the history, and exports sessions and audit log', async ({
  browser,
}) => {
  // A long journey (a live session, Monitor, history, audit log, two downloads) on a shared, loaded machine.
  test.setTimeout(300_000);
  const pair = await joinedPair(browser);
  await startViewing(pair);
  const sessionId = await pair.helper.evaluate(async () => {
    const body = (await (await fetch('/api/v1/sessions')).json()) as {
      sessions: { id: string; state: string; sharer: { displayName: string } | null }[];
    };
    return body.sessions.find((s) => s.state === 'active' && s.sharer?.displayName === 'Lena Fischer')?.id ?? '';
  });
  expect(sessionId).not.toBe('');

  // Monitor: the live session, both people connected.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/reports/monitor', 'admin@contoso.example');
  const row = admin.locator(`[data-testid="monitor-row"][data-session-id="${sessionId}"]`);
  await expect(row).toContainText('Daniel Okafor');
  await expect(row).toContainText('Lena Fischer');
  await expect(row).toContainText('Active');
  await expect(row).toContainText('View only');
  await expect(row).toContainText('Helper connected');
  await expect(row).toContainText('Sharer connected');
  await shot(admin, 'reports-01-monitor');

  // End session, confirmed first; the page says it was done and the row goes.
  await row.getByTestId('monitor-end').click();
  const dialog = admin.getByTestId('monitor-end-dialog');
  await expect(dialog).toContainText('Daniel Okafor and Lena Fischer are disconnected at once');
  await shot(admin, 'reports-02-end-confirm');
  await admin.getByTestId('monitor-end-confirm').click();
  await expect(admin.getByTestId('monitor-done')).toContainText('The session of Daniel Okafor was ended');
  await expect(row).toHaveCount(0);
  await shot(admin, 'reports-03-monitor-ended');

  // Both sides are told at once that an administrator ended it.
  await expect(pair.helper.getByTestId('session-ended')).toContainText('An administrator ended the session.');
  await expect(pair.sharer.getByTestId('session-ended')).toBeVisible();
  await shot(pair.helper, 'reports-04-helper-ended');

  // Remote Help sessions: the session with its end reason and highest mode, found by search and status.
  await admin.getByRole('link', { name: 'Remote Help sessions' }).click();
  await admin.waitForURL(/\/admin\/reports\/sessions/);
  const history = admin.locator(`[data-testid="sessions-row"][data-session-id="${sessionId}"]`);
  await expect(history).toContainText('Ended by an administrator');
  await expect(history).toContainText('View only');
  await expect(history).toContainText('Web browser');
  await expect(history).toContainText('Not enrolled');
  await admin.getByPlaceholder('Helper, sharer or device').fill('lena');
  await admin.waitForURL(/q=lena/);
  await admin.getByTestId('sessions-status').click();
  await admin.getByRole('option', { name: 'Ended' }).click();
  await admin.waitForURL(/status=ended/);
  await expect(history).toBeVisible();
  await shot(admin, 'reports-05-sessions');

  // Its CSV, with the page's filters.
  const sessions = await downloadCsv(admin, 'sessions-export', /^remote-help-sessions-\d{8}-\d{6}\.csv$/);
  const header = sessions[0]!;
  expect(header.slice(0, 3)).toEqual(['Session ID', 'Created (UTC)', 'Joined (UTC)']);
  const line = sessions.find((r) => r[0] === sessionId);
  expect(line, 'the ended session is in sessions.csv').toBeDefined();
  const cell = (name: string) => line![header.indexOf(name)];
  expect([cell('Status'), cell('Helper'), cell('Sharer'), cell('Highest mode'), cell('End reason')]).toEqual([
    'ended',
    'Daniel Okafor',
    'Lena Fischer',
    'view',
    'terminated_by_admin',
  ]);
  expect(sessions.slice(1).every((r) => r[header.indexOf('Status')] === 'ended')).toBe(true);

  // A settings change, so the audit log has a before → after to show.
  await admin.evaluate(async () => {
    const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
    const current = (await (await fetch('/api/v1/tenant/settings')).json()) as {
      settings: { reportRetentionDays: number };
    };
    const put = (settings: object) =>
      fetch('/api/v1/tenant/settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify(settings),
      });
    await put({ ...current.settings, reportRetentionDays: 45 });
    await put(current.settings);
  });

  // Audit log: the administrator's end of the session, and the settings change before → after.
  await admin.getByRole('link', { name: 'Audit log' }).click();
  await admin.waitForURL(/\/admin\/reports\/audit/);
  await expect(admin.getByTestId('audit-table')).toBeVisible();
  await admin.getByTestId('audit-action').click();
  await admin.getByRole('option', { name: 'Remote Help settings changed' }).click();
  await admin.waitForURL(/action=tenant\.settings_updated/);
  const change = admin.locator('[data-testid="audit-row"][data-action="tenant.settings_updated"]').first();
  await expect(change).toContainText('Priya Raman');
  await change.getByTestId('audit-expand').click();
  const details = admin.getByTestId('audit-change').first();
  await expect(details).toContainText('reportRetentionDays');
  await expect(details.locator('[data-changed="true"]')).toHaveCount(1);
  await expect(details).toContainText('45');
  await shot(admin, 'reports-06-audit-change');

  await admin.getByRole('button', { name: 'Clear filters' }).click();
  await admin.waitForURL((url) => !url.search.includes('action='));
  const ended = admin.locator('[data-testid="audit-row"][data-action="session.ended"]').first();
  await expect(ended).toContainText('Priya Raman');
  await expect(ended).toContainText('Session ended');
  await ended.getByTestId('audit-expand').click();
  await expect(admin.getByTestId('audit-details').first()).toContainText('ended_by_admin');
  await shot(admin, 'reports-07-audit');

  const audit = await downloadCsv(admin, 'audit-export', /^audit-log-\d{8}-\d{6}\.csv$/);
  const auditHeader = audit[0]!;
  expect(auditHeader.slice(0, 3)).toEqual(['Event ID', 'Time (UTC)', 'Actor type']);
  const col = (r: string[], name: string) => r[auditHeader.indexOf(name)];
  const endedEvent = audit.find((r) => col(r, 'Action') === 'session.ended' && col(r, 'Target ID') === sessionId);
  expect(endedEvent, 'the administrator’s end of the session is in audit.csv').toBeDefined();
  expect(col(endedEvent!, 'Actor')).toBe('Priya Raman');
  expect(JSON.parse(col(endedEvent!, 'Details (JSON)')!)).toMatchObject({
    endReason: 'terminated_by_admin',
    because: 'ended_by_admin',
  });
  expect(audit.some((r) => col(r, 'Action') === 'reports.sessions_exported')).toBe(true);
  const settings = audit.find((r) => col(r, 'Action') === 'tenant.settings_updated');
  expect(JSON.parse(col(settings!, 'Details (JSON)')!)).toHaveProperty('before');
});

test('an administrator checks the audit log’s integrity, notes its head, and a later check compares with it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, '/admin/reports/audit', 'admin@contoso.example');
  await expect(admin.getByTestId('audit-table')).toBeVisible();

  await admin.getByTestId('audit-integrity').click();
  const dialog = admin.getByTestId('audit-integrity-dialog');
  await dialog.getByTestId('audit-integrity-check').click();
  const result = dialog.getByTestId('audit-integrity-result');
  await expect(result).toHaveAttribute('data-intact', 'true');
  await expect(result).toContainText('The audit log is intact.');
  const head = (await dialog.getByTestId('audit-integrity-head').textContent()) ?? '';
  expect(head).toMatch(/^\d+ [0-9a-f]{64}$/);
  await shot(admin, 'reports-08-audit-integrity');
  await dialog.getByRole('button', { name: 'Close' }).click();
  // The check is itself in the log.
  await expect(admin.locator('[data-testid="audit-row"][data-action="audit.verified"]').first()).toContainText(
    'Audit log integrity checked',
  );

  // Later: the noted head still matches; a forged one differs; a line that is no head is named before anything is sent.
  await admin.getByTestId('audit-integrity').click();
  const noted = dialog.getByTestId('audit-integrity-noted');
  await noted.fill(`${head}\nnot a head`);
  await expect(dialog).toContainText('Line 2: write the event number');
  await expect(dialog.getByTestId('audit-integrity-check')).toBeDisabled();
  const [seq] = head.split(' ');
  await noted.fill(`${head}\n${seq} ${'0'.repeat(64)}`);
  await dialog.getByTestId('audit-integrity-check').click();
  await expect(result).toHaveAttribute('data-intact', 'false');
  await expect(result).toContainText('The audit log was changed.');
  const compared = dialog.getByTestId('audit-integrity-anchors').locator('li');
  await expect(compared).toHaveCount(2);
  await expect(compared.nth(0)).toHaveAttribute('data-result', 'matches');
  await expect(compared.nth(1)).toHaveAttribute('data-result', 'differs');
  await expect(compared.nth(1)).toContainText('The log was rewritten after you noted it.');
  // The newest head moved on: the first check is in the chain now.
  expect(Number((await dialog.getByTestId('audit-integrity-head').textContent())?.split(' ')[0])).toBeGreaterThan(
    Number(seq),
  );
  await shot(admin, 'reports-09-audit-integrity-compared');
});
