/**
 * Terminal rendering: aligned columns, a small unicode bar per row. Plain text (no colour codes), so it
 * reads the same piped into a file or a ticket.
 */
import type { Finding } from '../../findings/types.ts';
import type { Breakdown, FingerprintRow, ReportModel } from '../model.ts';
import {
  BYTES_METHOD_TEXT,
  bar,
  bytes,
  clip,
  DIMENSION_TITLES,
  hhmm,
  int,
  KIND_TITLES,
  knownIssueText,
  names,
  pct,
  plural,
  rangeText,
  sourceText,
  time,
} from './format.ts';

export interface TableOptions {
  /** Terminal width in columns (default 120): lines are cut or wrapped to it. */
  width?: number;
}

export const DEFAULT_WIDTH = 120;
/** Narrowest layout the table keeps (below it lines are cut). */
const MIN_WIDTH = 60;

export interface Column {
  title: string;
  align?: 'left' | 'right';
  /** Shrinks (its cells clipped with …) so the line fits the width. */
  flex?: boolean;
}

const BAR = 14;

/** Aligned columns separated by two spaces; the header underlined; flex columns shrink to `maxWidth`. */
export function alignTable(
  columns: Column[],
  rows: string[][],
  indent = '  ',
  maxWidth = DEFAULT_WIDTH,
): string[] {
  const width = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const total = (): number => indent.length + width.reduce((a, b) => a + b, 0) + 2 * (width.length - 1);
  const flex = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
  for (const i of flex) {
    const over = total() - maxWidth;
    if (over > 0) width[i] = Math.max(columns[i]!.title.length, 12, width[i]! - over);
  }
  const cell = (s0: string, i: number): string => {
    const s = [...s0].length > width[i]! ? clip(s0, width[i]!) : s0;
    const pad = width[i]! - [...s].length;
    return columns[i]!.align === 'right' ? ' '.repeat(pad) + s : s + ' '.repeat(pad);
  };
  const line = (r: string[]): string => (indent + r.map(cell).join('  ')).trimEnd();
  return [line(columns.map((c) => c.title)), line(width.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

function breakdownLines(title: string, b: Breakdown, width: number): string[] {
  if (b.rows.length === 0) return [];
  const max = Math.max(...b.rows.map((r) => r.records_in));
  const rows = b.rows.map((r) => [
    r.key,
    int(r.records_in),
    pct(r.share_pct),
    bar(r.records_in, max, BAR),
    bytes(r.bytes_in),
    int(r.documents_out),
    bytes(r.bytes_out),
    pct(r.reduction_pct),
    pct(r.reduction_bytes_pct),
  ]);
  if (b.other) {
    rows.push([
      `(${b.other.rows} more)`,
      int(b.other.records_in),
      '',
      '',
      bytes(b.other.bytes_in),
      int(b.other.documents_out),
      bytes(b.other.bytes_out),
      '',
      '',
    ]);
  }
  return [
    title.toUpperCase(),
    ...alignTable(
      [
        { title: title.replace(/^By /, ''), flex: true },
        { title: 'lines in', align: 'right' },
        { title: 'share', align: 'right' },
        { title: '' },
        { title: 'bytes in', align: 'right' },
        { title: 'docs out', align: 'right' },
        { title: 'bytes out', align: 'right' },
        // Two figures, named for what they count: documents per line, and bytes.
        { title: 'count red.', align: 'right' },
        { title: 'bytes red.', align: 'right' },
      ],
      rows,
      '  ',
      width,
    ),
    '',
  ];
}

function fingerprintLines(
  title: string,
  items: FingerprintRow[],
  extra: 'share' | 'first',
  width: number,
): string[] {
  if (items.length === 0) return [];
  const max = Math.max(...items.map((r) => r.records_in));
  return [
    title,
    ...alignTable(
      [
        { title: '#', align: 'right' },
        { title: 'records', align: 'right' },
        { title: extra === 'share' ? 'share' : 'first seen', align: 'right' },
        { title: '' },
        { title: 'component' },
        { title: 'category' },
        { title: 'fingerprint' },
        { title: 'template', flex: true },
      ],
      items.map((r, i) => [
        String(i + 1),
        int(r.records_in),
        extra === 'share' ? pct(r.share_pct) : time(r.first_seen),
        bar(r.records_in, max, 10),
        r.component,
        r.category,
        r.fingerprint,
        r.template,
      ]),
      '  ',
      width,
    ),
    '',
  ];
}

/** A step series as a sparkline with its time axis and scale: `04:00 ▁▂▅█ 05:55 · max 149 per 5 min`. */
export function sparkAxis(
  points: Array<{ t: string; count: number }>,
  stepS: number,
  maxCells: number,
): string {
  if (points.length === 0) return '';
  // Wider than the room: merge neighbouring steps (sums stay exact).
  const per = Math.max(1, Math.ceil(points.length / Math.max(8, maxCells)));
  const merged: number[] = [];
  for (let i = 0; i < points.length; i += per)
    merged.push(points.slice(i, i + per).reduce((a, p) => a + p.count, 0));
  const spark = sparkline(merged);
  if (!spark) return '';
  const step = stepS * per;
  const stepText =
    step % 3600 === 0 ? `${step / 3600} h` : step % 60 === 0 ? `${step / 60} min` : `${step} s`;
  const last = points[points.length - 1]!;
  const end = new Date(Date.parse(last.t) + stepS * 1000).toISOString();
  return `${hhmm(points[0]!.t)} ${spark} ${hhmm(end)} UTC · max ${int(Math.max(...merged))} per ${stepText}`;
}

function findingLines(fs: Finding[], width: number): string[] {
  if (fs.length === 0)
    return ['FINDINGS: none (no new, spreading or rising error, no known issue, no outsized noise)', ''];
  const out = [`FINDINGS (${fs.length})`];
  const text = Math.max(40, width - 5);
  const adviceSeen = new Map<string, number>();
  fs.forEach((f, i) => {
    const nodes = f.nodes.length > 0 ? ` · ${plural(f.nodes.length, 'node')}` : '';
    out.push(
      clip(
        `  ${i + 1}. ${KIND_TITLES[f.kind].toUpperCase()} · ${f.category} · ${f.component}${nodes} · since ${time(f.started_at)} UTC · ${plural(f.lines, 'line')}`,
        width,
      ),
    );
    out.push(`     ${clip(f.template, text)}`);
    for (const r of f.related.slice(0, 3))
      out.push(`     + ${clip(`${r.template} (${plural(r.lines, 'line')})`, text - 2)}`);
    if (f.related.length > 3) out.push(`     + ${f.related.length - 3} more related template(s)`);
    out.push(...wrap(f.explanation, text).map((l) => `     ${l}`));
    const same = adviceSeen.get(f.advice);
    if (same === undefined) {
      adviceSeen.set(f.advice, i + 1);
      out.push(...wrap(`→ ${f.advice}`, text).map((l) => `     ${l}`));
    } else out.push(`     → the advice of ${same}.`);
    if (f.known_issue)
      out.push(...wrap(`known issue: ${knownIssueText(f.known_issue)}`, text).map((l) => `     ${l}`));
    if (f.nodes.length > 0) out.push(...wrap(`nodes: ${names(f.nodes, 12)}`, text).map((l) => `     ${l}`));
    const spark = sparkAxis(f.evidence.series, f.evidence.step_s, text - 30);
    if (spark) out.push(`     ${spark}`);
  });
  out.push('');
  return out;
}

export function renderTable(m: ReportModel, options: TableOptions = {}): string {
  const width = Math.max(MIN_WIDTH, options.width ?? DEFAULT_WIDTH);
  const t = m.totals;
  const out: string[] = [];
  out.push(`calico-logsift report — ${sourceText(m)}`);
  out.push(
    `range: ${rangeText(m)}   data: ${time(t.data_from)} → ${time(t.data_to)} UTC   generated ${time(m.generated_at)} UTC`,
  );
  out.push('');
  out.push(...findingLines(m.findings, width));
  out.push('TOTALS');
  out.push(
    ...alignTable(
      [{ title: '' }, { title: 'count', align: 'right' }, { title: 'bytes', align: 'right' }, { title: '' }],
      [
        ['in (lines read)', int(t.records_in), bytes(t.bytes_in), ''],
        [
          'out (documents)',
          int(t.documents_out),
          bytes(t.bytes_out),
          `${int(t.summaries_out)} summaries · ${int(t.dlq_docs)} dead-letter · ${int(t.stats_docs)} stats; bytes ${BYTES_METHOD_TEXT[t.bytes_out_method]}`,
        ],
        ['reduction', pct(t.reduction_count_pct), pct(t.reduction_bytes_pct), 'by count · by bytes'],
      ],
    ),
  );
  const check = t.stats_records_in === t.records_in ? 'equal ✓' : `differs (${int(t.stats_records_in)})`;
  out.push(
    `  fingerprints ${int(t.fingerprints)} · dead-lettered ${int(t.dead_lettered)} lines · stats records_in ${check}`,
  );
  if (t.lost_by_retention > 0) {
    out.push(
      `  LOST: ${int(t.lost_by_retention)} lines were removed from Kafka by retention before they were read (in no count)`,
    );
  }
  out.push('');

  for (const dim of ['component', 'category', 'node', 'namespace'] as const) {
    out.push(...breakdownLines(DIMENSION_TITLES[dim], m.breakdowns[dim], width));
  }
  out.push(
    ...fingerprintLines(
      `TOP FINGERPRINTS BY VOLUME (${m.top_fingerprints.length})`,
      m.top_fingerprints,
      'share',
      width,
    ),
  );
  for (const [i, r] of m.top_fingerprints.slice(0, 5).entries())
    out.push(`  ${i + 1}. e.g. ${clip(r.example, width - 9)}`);
  if (m.top_fingerprints.length > 0) out.push('');

  const te = m.tier_exists;
  if (te.total > 0) {
    out.push(`TIER-EXISTS (${plural(te.total, 'line')})`);
    const maxT = Math.max(...te.by_tier.map((r) => r.count));
    out.push(
      ...alignTable(
        [{ title: 'tier' }, { title: 'lines', align: 'right' }, { title: '' }],
        te.by_tier.map((r) => [r.key, int(r.count), bar(r.count, maxT, BAR)]),
        '  ',
        width,
      ),
    );
    const maxP = Math.max(...te.by_pod.map((r) => r.count));
    out.push(
      ...alignTable(
        [{ title: 'pod', flex: true }, { title: 'node' }, { title: 'lines', align: 'right' }, { title: '' }],
        te.by_pod.map((r) => [r.pod, r.node, int(r.count), bar(r.count, maxP, BAR)]),
        '  ',
        width,
      ),
    );
    if (te.params_source === 'unavailable')
      out.push('  (per-tier split unavailable: documents lack logsift.param_values)');
    out.push('');
  }

  const nl = m.netlink;
  if (nl.total > 0) {
    out.push(`NETLINK ERRORS (${plural(nl.total, 'line')} on ${plural(nl.nodes_affected, 'node')})`);
    const maxE = Math.max(...nl.by_errno.map((r) => r.count));
    out.push(
      ...alignTable(
        [
          { title: 'errno' },
          { title: 'lines', align: 'right' },
          { title: 'nodes', align: 'right' },
          { title: '' },
        ],
        nl.by_errno.map((r) => [r.errno, int(r.count), int(r.nodes), bar(r.count, maxE, BAR)]),
      ),
    );
    if (nl.by_operation.length > 0) {
      out.push(
        ...alignTable(
          [{ title: 'operation' }, { title: 'lines', align: 'right' }],
          nl.by_operation.map((r) => [r.key, int(r.count)]),
        ),
      );
    }
    const spark = sparkAxis(
      nl.series.map((p) => ({ t: p.t, count: Object.values(p.counts).reduce((a, b) => a + b, 0) })),
      m.series.interval_s,
      width - 40,
    );
    if (spark) out.push(`  over time: ${spark}`);
    out.push('');
  }

  const nf = m.new_fingerprints;
  if (nf.baseline) {
    out.push(
      ...fingerprintLines(
        `NEW FINGERPRINTS (${int(nf.total)} first seen in the range)`,
        nf.items,
        'first',
        width,
      ),
    );
  } else {
    out.push(
      ...wrap(
        'NEW FINGERPRINTS: pass --from to list the fingerprints first seen in a range (the "new" findings above judge onsets within the data).',
        width,
      ),
      '',
    );
  }

  if (m.dead_letters.total > 0) {
    out.push(`DEAD LETTERS (${plural(m.dead_letters.total, 'line')})`);
    out.push(
      ...alignTable(
        [{ title: 'reason' }, { title: 'lines', align: 'right' }, { title: 'bytes', align: 'right' }],
        m.dead_letters.by_reason.map((r) => [r.reason, int(r.count), bytes(r.bytes)]),
      ),
    );
    out.push('');
  }

  for (const n of m.notes) out.push(`note: ${n}`);
  return `${out.join('\n').trimEnd()}\n`;
}

export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return '';
  const ticks = '▁▂▃▄▅▆▇█';
  return values.map((v) => (v === 0 ? ' ' : ticks[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}
