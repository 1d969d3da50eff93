/**
 * Terminal rendering: aligned columns, a small unicode bar per row. Plain text (no colour codes), so it
 * reads the same piped into a file or a ticket.
 */
import type { Breakdown, FingerprintRow, ReportModel } from '../model.ts';
import {
  BYTES_METHOD_TEXT,
  bar,
  bytes,
  clip,
  DIMENSION_TITLES,
  int,
  pct,
  rangeText,
  sourceText,
  time,
} from './format.ts';

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

const BAR = 14;

/** Aligned columns separated by two spaces; the header underlined. */
export function alignTable(columns: Column[], rows: string[][], indent = '  '): string[] {
  const width = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const cell = (s: string, i: number): string => {
    const pad = width[i]! - [...s].length;
    return columns[i]!.align === 'right' ? ' '.repeat(pad) + s : s + ' '.repeat(pad);
  };
  const line = (r: string[]): string => (indent + r.map(cell).join('  ')).trimEnd();
  return [line(columns.map((c) => c.title)), line(width.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

function breakdownLines(title: string, b: Breakdown): string[] {
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
    ]);
  }
  return [
    title.toUpperCase(),
    ...alignTable(
      [
        { title: title.replace(/^By /, '') },
        { title: 'records in', align: 'right' },
        { title: 'share', align: 'right' },
        { title: '' },
        { title: 'bytes in', align: 'right' },
        { title: 'docs out', align: 'right' },
        { title: 'bytes out', align: 'right' },
        { title: 'reduction', align: 'right' },
      ],
      rows,
    ),
    '',
  ];
}

function fingerprintLines(title: string, items: FingerprintRow[], extra: 'share' | 'first'): string[] {
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
        { title: 'template' },
      ],
      items.map((r, i) => [
        String(i + 1),
        int(r.records_in),
        extra === 'share' ? pct(r.share_pct) : time(r.first_seen),
        bar(r.records_in, max, 10),
        r.component,
        r.category,
        r.fingerprint,
        clip(r.template, 80),
      ]),
    ),
    '',
  ];
}

export function renderTable(m: ReportModel): string {
  const t = m.totals;
  const out: string[] = [];
  out.push(`calico-logsift report — ${sourceText(m)}`);
  out.push(
    `range: ${rangeText(m)}   data: ${time(t.data_from)} → ${time(t.data_to)} UTC   generated ${time(m.generated_at)} UTC`,
  );
  out.push('');
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
    out.push(...breakdownLines(DIMENSION_TITLES[dim], m.breakdowns[dim]));
  }
  out.push(
    ...fingerprintLines(
      `TOP FINGERPRINTS BY VOLUME (${m.top_fingerprints.length})`,
      m.top_fingerprints,
      'share',
    ),
  );
  for (const [i, r] of m.top_fingerprints.slice(0, 5).entries())
    out.push(`  ${i + 1}. e.g. ${clip(r.example, 150)}`);
  if (m.top_fingerprints.length > 0) out.push('');

  const te = m.tier_exists;
  if (te.total > 0) {
    out.push(`TIER-EXISTS (${int(te.total)} lines)`);
    const maxT = Math.max(...te.by_tier.map((r) => r.count));
    out.push(
      ...alignTable(
        [{ title: 'tier' }, { title: 'lines', align: 'right' }, { title: '' }],
        te.by_tier.map((r) => [r.key, int(r.count), bar(r.count, maxT, BAR)]),
      ),
    );
    const maxP = Math.max(...te.by_pod.map((r) => r.count));
    out.push(
      ...alignTable(
        [{ title: 'pod' }, { title: 'node' }, { title: 'lines', align: 'right' }, { title: '' }],
        te.by_pod.map((r) => [r.pod, r.node, int(r.count), bar(r.count, maxP, BAR)]),
      ),
    );
    if (te.params_source === 'unavailable')
      out.push('  (per-tier split unavailable: documents lack logsift.param_values)');
    out.push('');
  }

  const nl = m.netlink;
  if (nl.total > 0) {
    out.push(`NETLINK ERRORS (${int(nl.total)} lines on ${int(nl.nodes_affected)} nodes)`);
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
    const spark = sparkline(nl.series.map((p) => Object.values(p.counts).reduce((a, b) => a + b, 0)));
    if (spark) out.push(`  over time (${m.series.interval} buckets): ${spark}`);
    out.push('');
  }

  const nf = m.new_fingerprints;
  out.push(
    ...fingerprintLines(
      nf.baseline
        ? `NEW FINGERPRINTS (${int(nf.total)} first seen in the range)`
        : `NEW FINGERPRINTS (${int(nf.total)}; no --from given, so every fingerprint counts as new)`,
      nf.items,
      'first',
    ),
  );

  if (m.dead_letters.total > 0) {
    out.push(`DEAD LETTERS (${int(m.dead_letters.total)} lines)`);
    out.push(
      ...alignTable(
        [{ title: 'reason' }, { title: 'lines', align: 'right' }, { title: 'bytes', align: 'right' }],
        m.dead_letters.by_reason.map((r) => [r.reason, int(r.count), bytes(r.bytes)]),
      ),
    );
    out.push('');
  }

  if (m.hints.length > 0) {
    out.push('KNOWN ISSUES');
    for (const h of m.hints) {
      out.push(`  ! ${h.title}`);
      out.push(...wrap(h.advice, 100).map((l) => `    ${l}`));
      if (h.evidence.pods.length > 0)
        out.push(
          `    pods: ${h.evidence.pods.join(', ')}${h.evidence.pods_total > h.evidence.pods.length ? ', …' : ''}`,
        );
      if (h.evidence.nodes.length > 0)
        out.push(
          `    nodes: ${h.evidence.nodes.join(', ')}${h.evidence.nodes_total > h.evidence.nodes.length ? ', …' : ''}`,
        );
    }
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
