/** Markdown rendering (for tickets, PRs, wikis): the same sections as the terminal table. */
import type { Finding } from '../../findings/types.ts';
import type { Breakdown, FingerprintRow, ReportModel } from '../model.ts';
import {
  BYTES_METHOD_TEXT,
  bytes,
  clip,
  DIMENSION_TITLES,
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
import { sparkAxis } from './table.ts';

const esc = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\n/g, ' ');
const code = (s: string): string => `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\n/g, ' ')}\``;

function table(headers: string[], rows: string[][], right: number[] = []): string[] {
  const align = headers.map((_, i) => (right.includes(i) ? '---:' : '---'));
  return [
    `| ${headers.join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ];
}

function breakdown(title: string, b: Breakdown): string[] {
  if (b.rows.length === 0) return [];
  const rows = b.rows.map((r) => [
    esc(r.key),
    int(r.records_in),
    pct(r.share_pct),
    bytes(r.bytes_in),
    int(r.documents_out),
    bytes(r.bytes_out),
    pct(r.reduction_pct),
    pct(r.reduction_bytes_pct),
  ]);
  if (b.other)
    rows.push([
      `(${b.other.rows} more)`,
      int(b.other.records_in),
      '',
      bytes(b.other.bytes_in),
      int(b.other.documents_out),
      bytes(b.other.bytes_out),
      '',
      '',
    ]);
  return [
    `### ${title}`,
    '',
    ...table(
      [
        title.replace(/^By /, ''),
        'lines in',
        'share',
        'bytes in',
        'docs out',
        'bytes out',
        'reduction (count)',
        'reduction (bytes)',
      ],
      rows,
      [1, 2, 3, 4, 5, 6, 7],
    ),
  ];
}

function fingerprints(items: FingerprintRow[], withShare: boolean): string[] {
  return table(
    [
      '#',
      'records',
      withShare ? 'share' : 'first seen',
      'component',
      'category',
      'fingerprint',
      'template',
      'example',
    ],
    items.map((r, i) => [
      String(i + 1),
      int(r.records_in),
      withShare ? pct(r.share_pct) : time(r.first_seen),
      esc(r.component),
      esc(r.category),
      code(r.fingerprint),
      code(clip(r.template, 120)),
      code(clip(r.example, 160)),
    ]),
    [0, 1, 2],
  );
}

function findingsSection(fs: Finding[]): string[] {
  const out = [`## Findings (${fs.length})`, ''];
  if (fs.length === 0) {
    out.push('None: no new, spreading or rising error, no known Calico issue, no outsized noise.', '');
    return out;
  }
  fs.forEach((f, i) => {
    out.push(
      `### ${i + 1}. ${KIND_TITLES[f.kind]}: ${esc(f.category)} from ${esc(f.component)} since ${time(f.started_at)} UTC (${plural(f.lines, 'line')}${f.nodes.length > 0 ? `, ${plural(f.nodes.length, 'node')}` : ''})`,
      '',
      `Template: ${code(clip(f.template, 200))}${f.related.length > 0 ? ` and ${f.related.length} related: ${f.related.map((r) => `${code(clip(r.template, 80))} (${int(r.lines)})`).join(', ')}` : ''}`,
      '',
      esc(f.explanation),
      '',
      `**${esc(f.advice)}**`,
      '',
    );
    if (f.known_issue) out.push(`Known issue: ${esc(knownIssueText(f.known_issue))}`, '');
    if (f.nodes.length > 0) out.push(`Nodes: ${esc(names(f.nodes, 20))}`, '');
    const spark = sparkAxis(f.evidence.series, f.evidence.step_s, 60);
    if (spark) out.push(`Lines over time: \`${spark}\``, '');
  });
  return out;
}

export function renderMarkdown(m: ReportModel): string {
  const t = m.totals;
  const out: string[] = [
    '# calico-logsift report',
    '',
    `Source: ${esc(sourceText(m))}. Range: ${rangeText(m)}. Data: ${time(t.data_from)} → ${time(t.data_to)} UTC. Generated ${time(m.generated_at)} UTC.`,
    '',
    ...findingsSection(m.findings),
    '## Totals',
    '',
    ...table(
      ['', 'count', 'bytes'],
      [
        ['in (lines read)', int(t.records_in), bytes(t.bytes_in)],
        ['out (documents)', int(t.documents_out), bytes(t.bytes_out)],
        ['reduction', pct(t.reduction_count_pct), pct(t.reduction_bytes_pct)],
      ],
      [1, 2],
    ),
    `Documents out: ${int(t.summaries_out)} summaries, ${int(t.dlq_docs)} dead-letter counters, ${int(t.stats_docs)} stats. ` +
      `Bytes out: ${BYTES_METHOD_TEXT[t.bytes_out_method]}. Fingerprints: ${int(t.fingerprints)}. Dead-lettered lines: ${int(t.dead_lettered)}. ` +
      `Stats cross-check: records_in ${int(t.stats_records_in)}${t.stats_records_in === t.records_in ? ' (equal)' : ' (differs)'}.`,
    '',
  ];
  if (t.lost_by_retention > 0) {
    out.push(
      `**Lost before they were read: ${int(t.lost_by_retention)} lines** were removed from Kafka by retention before logsift read them and are in no count. Raise the input topics' retention.ms or fix the consumer lag.`,
      '',
    );
  }
  out.push('## Breakdowns', '');
  for (const dim of ['component', 'category', 'node', 'namespace'] as const)
    out.push(...breakdown(DIMENSION_TITLES[dim], m.breakdowns[dim]));
  if (m.top_fingerprints.length > 0)
    out.push('## Top fingerprints by volume', '', ...fingerprints(m.top_fingerprints, true));
  const te = m.tier_exists;
  if (te.total > 0) {
    out.push(`## Tier-exists (${plural(te.total, 'line')})`, '');
    out.push(
      ...table(
        ['tier', 'lines'],
        te.by_tier.map((r) => [esc(r.key), int(r.count)]),
        [1],
      ),
    );
    out.push(
      ...table(
        ['pod', 'node', 'lines'],
        te.by_pod.map((r) => [esc(r.pod), esc(r.node), int(r.count)]),
        [2],
      ),
    );
  }
  const nl = m.netlink;
  if (nl.total > 0) {
    out.push(`## Netlink errors (${plural(nl.total, 'line')} on ${plural(nl.nodes_affected, 'node')})`, '');
    out.push(
      ...table(
        ['errno', 'lines', 'nodes'],
        nl.by_errno.map((r) => [esc(r.errno), int(r.count), int(r.nodes)]),
        [1, 2],
      ),
    );
    if (nl.by_operation.length > 0)
      out.push(
        ...table(
          ['operation', 'lines'],
          nl.by_operation.map((r) => [esc(r.key), int(r.count)]),
          [1],
        ),
      );
  }
  const nf = m.new_fingerprints;
  out.push(
    `## New fingerprints (${int(nf.total)})`,
    '',
    nf.baseline
      ? 'First seen in the range and never before it.'
      : 'Pass --from to list the fingerprints first seen in a range; the "new" findings above judge onsets within the data.',
    '',
  );
  if (nf.items.length > 0) out.push(...fingerprints(nf.items, false));
  if (m.dead_letters.total > 0) {
    out.push(`## Dead letters (${plural(m.dead_letters.total, 'line')})`, '');
    out.push(
      ...table(
        ['reason', 'lines', 'bytes'],
        m.dead_letters.by_reason.map((r) => [esc(r.reason), int(r.count), bytes(r.bytes)]),
        [1, 2],
      ),
    );
  }
  if (m.series.points.length > 0) {
    out.push(`## Volume over time (${m.series.interval} buckets)`, '');
    out.push(
      ...table(
        ['bucket (UTC)', 'records in', 'bytes in', 'docs out', 'bytes out'],
        m.series.points.map((p) => [
          time(p.t),
          int(p.records_in),
          bytes(p.bytes_in),
          int(p.documents_out),
          bytes(p.bytes_out),
        ]),
        [1, 2, 3, 4],
      ),
    );
  }
  if (m.notes.length > 0) out.push('## Notes', '', ...m.notes.map((n) => `- ${esc(n)}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
