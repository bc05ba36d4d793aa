/** The Markdown tables: one per link profile and resolution; rows are metrics, columns pipelines. */

type Json = Record<string, unknown>;

interface Row {
  label: string;
  target: string;
  /** value from one run, or null */
  get(run: Json): number | null;
  /** does the value meet the target? (undefined = no target) */
  ok?: (v: number) => boolean;
  /** only show on these profiles */
  profiles?: string[];
}

const at = (o: unknown, ...path: string[]): unknown => {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[p];
  }
  return cur;
};
const n = (o: unknown, ...path: string[]): number | null => {
  const v = at(o, ...path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

const LOCAL = ['local'];
const LOSSY = ['2M-40ms-1%'];

const ROWS: Row[] = [
  {
    label: 'first frame, median (ms)',
    target: '≤ 300',
    get: (r) => n(r, 'firstFrame', 'median'),
    ok: (v) => v <= 300,
    profiles: LOCAL,
  },
  // Over an emulated link the handshakes alone take several round trips: no target there.
  {
    label: 'first frame, median (ms)',
    target: '',
    get: (r) => n(r, 'firstFrame', 'median'),
    profiles: ['10M-20ms', ...LOSSY],
  },
  {
    label: 'flips: glass-to-glass p50 (ms)',
    target: '≤ 16',
    get: (r) => n(r, 'flips', 'g2g', 'p50'),
    ok: (v) => v <= 16,
    profiles: LOCAL,
  },
  {
    label: 'flips: glass-to-glass p95 (ms)',
    target: '≤ 25',
    get: (r) => n(r, 'flips', 'g2g', 'p95'),
    ok: (v) => v <= 25,
    profiles: LOCAL,
  },
  {
    label: 'flips: glass-to-glass p50 (ms)',
    target: '≤ 55',
    get: (r) => n(r, 'flips', 'g2g', 'p50'),
    ok: (v) => v <= 55,
    profiles: LOSSY,
  },
  {
    label: 'flips: glass-to-glass p95 (ms)',
    target: '≤ 65',
    get: (r) => n(r, 'flips', 'g2g', 'p95'),
    ok: (v) => v <= 65,
    profiles: LOSSY,
  },
  {
    label: 'flips: glass-to-glass p50 (ms)',
    target: '',
    get: (r) => n(r, 'flips', 'g2g', 'p50'),
    profiles: ['10M-20ms'],
  },
  {
    label: 'flips: glass-to-glass p95 (ms)',
    target: '',
    get: (r) => n(r, 'flips', 'g2g', 'p95'),
    profiles: ['10M-20ms'],
  },
  { label: 'flips: glass-to-glass max (ms)', target: '', get: (r) => n(r, 'flips', 'g2g', 'max') },
  {
    label: 'flips: longest freeze (ms)',
    target: '≤ 120 (lossy)',
    get: (r) => n(r, 'flips', 'longestFreezeMs'),
    ok: (v) => v <= 120,
  },
  { label: 'flips: shown / coalesced / missed', target: '', get: () => null },
  {
    label: 'input one-way p50 (ms)',
    target: '≤ 2',
    get: (r) => n(r, 'input', 'latency', 'p50'),
    ok: (v) => v <= 2,
    profiles: LOCAL,
  },
  {
    label: 'input one-way p95 (ms)',
    target: '≤ 4',
    get: (r) => n(r, 'input', 'latency', 'p95'),
    ok: (v) => v <= 4,
    profiles: LOCAL,
  },
  {
    label: 'input one-way p50 (ms)',
    target: '',
    get: (r) => n(r, 'input', 'latency', 'p50'),
    profiles: ['10M-20ms', ...LOSSY],
  },
  {
    label: 'input one-way p95 (ms)',
    target: '',
    get: (r) => n(r, 'input', 'latency', 'p95'),
    profiles: ['10M-20ms', ...LOSSY],
  },
  {
    label: 'click-to-photon p50 (ms)',
    target: '≤ 22',
    get: (r) => n(r, 'click', 'clickToPhoton', 'p50'),
    ok: (v) => v <= 22,
    profiles: LOCAL,
  },
  {
    label: 'click-to-photon p50 (ms)',
    target: '',
    get: (r) => n(r, 'click', 'clickToPhoton', 'p50'),
    profiles: ['10M-20ms', ...LOSSY],
  },
  { label: 'click-to-photon p95 (ms)', target: '', get: (r) => n(r, 'click', 'clickToPhoton', 'p95') },
  {
    label: 'static: kbit/s (sender → viewer)',
    target: '≤ 5',
    get: (r) => n(r, 'static', 'downKbitPerS'),
    ok: (v) => v <= 5,
  },
  { label: 'static: kbit/s (viewer → sender)', target: '', get: (r) => n(r, 'static', 'upKbitPerS') },
  {
    label: 'static: sender CPU %',
    target: '≤ 2',
    get: (r) => n(r, 'static', 'cpuPercent', 'sender'),
    ok: (v) => v <= 2,
  },
  { label: 'static: X server CPU % (Xvfb)', target: '', get: (r) => n(r, 'static', 'cpuPercent', 'xserver') },
  { label: 'static: websockify CPU %', target: '', get: (r) => n(r, 'static', 'cpuPercent', 'proxy') },
  { label: 'static: viewer CPU % (Chromium)', target: '', get: (r) => n(r, 'static', 'cpuPercent', 'viewer') },
  {
    label: 'idle, full control on: kbit/s (sender → viewer)',
    target: '≤ 5',
    get: (r) => n(r, 'idle', 'downKbitPerS'),
    ok: (v) => v <= 5,
  },
  { label: 'idle, full control on: kbit/s (viewer → sender)', target: '', get: (r) => n(r, 'idle', 'upKbitPerS') },
  {
    label: 'idle, full control on: sender CPU %',
    target: '≤ 1',
    get: (r) => n(r, 'idle', 'cpuPercent', 'sender'),
    ok: (v) => v <= 1,
  },
  { label: 'idle, full control on: X server CPU %', target: '', get: (r) => n(r, 'idle', 'cpuPercent', 'xserver') },
  // Busy runs on every link (the issue compares its bytes with TigerVNC's over 2M-40ms-1% too).
  {
    label: 'busy: kbit/s',
    target: '≤ 600',
    get: (r) => n(r, 'busy', 'downKbitPerS'),
    ok: (v) => v <= 600,
  },
  { label: 'busy: viewer updates/s', target: '', get: (r) => n(r, 'busy', 'viewerUpdatesPerS') },
  { label: 'busy: sender CPU %', target: '', get: (r) => n(r, 'busy', 'cpuPercent', 'sender') },
  { label: 'busy: viewer CPU %', target: '', get: (r) => n(r, 'busy', 'cpuPercent', 'viewer') },
  { label: 'text: kbit/s', target: '', get: (r) => n(r, 'text', 'downKbitPerS'), profiles: LOCAL },
  { label: 'text: viewer updates/s', target: '', get: (r) => n(r, 'text', 'viewerUpdatesPerS'), profiles: LOCAL },
  { label: 'text: sender CPU %', target: '', get: (r) => n(r, 'text', 'cpuPercent', 'sender'), profiles: LOCAL },
  { label: 'video: kbit/s', target: '', get: (r) => n(r, 'video', 'downKbitPerS'), profiles: LOCAL },
  { label: 'video: viewer updates/s', target: '', get: (r) => n(r, 'video', 'viewerUpdatesPerS'), profiles: LOCAL },
  { label: 'video: sender CPU %', target: '', get: (r) => n(r, 'video', 'cpuPercent', 'sender'), profiles: LOCAL },
];

function cell(row: Row, run: Json | undefined): string {
  if (!run) return '—';
  if (row.label.startsWith('flips: shown')) {
    const f = at(run, 'flips') as Json | undefined;
    if (!f || f['error']) return '—';
    return `${String(f['flips'])} / ${String(f['coalesced'])} / ${String(f['missed'])}`;
  }
  const v = row.get(run);
  if (v === null) {
    const err = Object.values(run).find((x) => x && typeof x === 'object' && 'error' in (x as Json));
    return err || run['error'] ? 'error' : '—';
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1);
  if (!row.ok || !row.target) return text;
  return row.ok(v) ? `${text} ✓` : `**${text}** ✗`;
}

export function renderMarkdown(doc: Json): string {
  const runs = doc['runs'] as Json[];
  const pipelines = doc['pipelines'] as { id: string; label: string }[];
  const lines: string[] = [];
  const v = doc['versions'] as Json;
  lines.push(`# remote-view benchmark ${String(doc['startedAt'])}${doc['quick'] ? ' (quick)' : ''}`);
  lines.push('');
  lines.push(
    `${String(v['cores'])} cores (${String(v['cpu'])}), Node ${String(v['node'])}, Chromium ${String(v['chromium'])}, ` +
      `TigerVNC ${String(v['tigervnc'])}, x11vnc ${String(v['x11vnc'])}, websockify ${String(v['websockify'])}. ` +
      `Run took ${String(doc['durationS'])} s. Method: docs/bench.md. ✓/✗ = meets/misses the issue's target.`,
  );
  lines.push('');
  lines.push('| column | pipeline |');
  lines.push('| --- | --- |');
  for (const p of pipelines) lines.push(`| ${p.id} | ${p.label} |`);
  const groups = new Map<string, Json[]>();
  for (const r of runs) {
    const key = `${String(r['profile'])} @ ${String(r['resolution'])}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, group] of groups) {
    const profile = String(group[0]?.['profile']);
    lines.push('');
    lines.push(`## ${key}`);
    lines.push('');
    lines.push(`| metric | target | ${pipelines.map((p) => p.id).join(' | ')} |`);
    lines.push(`| --- | --- | ${pipelines.map(() => '---:').join(' | ')} |`);
    for (const row of ROWS) {
      if (row.profiles && !row.profiles.includes(profile)) continue;
      const cells = pipelines.map((p) =>
        cell(
          row,
          group.find((r) => r['pipeline'] === p.id),
        ),
      );
      if (cells.every((c) => c === '—')) continue;
      const target = row.target.includes('lossy') && profile !== LOSSY[0] ? '' : row.target.replace(' (lossy)', '');
      const shown = { ...row, target };
      const cells2 = pipelines.map((p) =>
        cell(
          shown,
          group.find((r) => r['pipeline'] === p.id),
        ),
      );
      lines.push(`| ${row.label} | ${target} | ${cells2.join(' | ')} |`);
    }
    // Agent breakdown
    for (const r of group) {
      const b = at(r, 'flips', 'breakdown') as Record<string, { p50: number; p95: number; n: number }> | undefined;
      if (!b) continue;
      const m = at(r, 'flips', 'measure') as Json | undefined;
      lines.push('');
      lines.push(
        `Where the time goes, ${String(r['pipeline'])} (flips shown exactly, p50 / p95 ms, n): ` +
          Object.entries(b)
            .map(([k, s]) => `${k} ${s.p50} / ${s.p95} (${s.n})`)
            .join('; ') +
          (m && m['jitterBufferDelayMsAvg'] !== undefined
            ? `; viewer stats: jitter buffer ${String(m['jitterBufferDelayMsAvg'])} ms avg (target ${String(m['jitterBufferTargetDelayMsAvg'])}), ` +
              `decode ${String(m['decodeMsAvg'])} ms, processing ${String(m['processingDelayMsAvg'])} ms, ` +
              `sender encode ${String(m['encodeMsAvg'])} ms, pacer ${String(m['packetSendDelayMsAvg'])} ms, ` +
              `${String(m['encoderImplementation'])} → ${String(m['decoderImplementation'])}`
            : ''),
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}
