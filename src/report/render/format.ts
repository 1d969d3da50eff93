/** Number, byte, time and bar formatting shared by the renderers. Pure. */
import type { ReportModel } from '../model.ts';

const nf = new Intl.NumberFormat('en-US');
export const int = (n: number): string => nf.format(Math.round(n));

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0
    ? `${Math.round(v)} B`
    : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

export const pct = (p: number | null): string =>
  p === null ? '–' : p === 0 || p === 100 ? `${p}%` : `${p.toFixed(2)}%`;

/** `2025-01-14 09:30` (UTC), or `–`. */
export const time = (iso: string | null): string =>
  iso === null ? '–' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

/** A horizontal bar of `width` cells for value/max, with eighth-block resolution. */
export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return ' '.repeat(width);
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  const full = Math.floor(eighths / 8);
  const rest = eighths % 8;
  const partial = rest > 0 ? ' ▏▎▍▌▋▊▉'[rest] : '';
  return ('█'.repeat(full) + partial).padEnd(width, ' ');
}

export function rangeText(m: ReportModel): string {
  const { from, to } = m.range;
  if (from === null && to === null) return 'everything';
  return `${from === null ? 'beginning' : time(from)} → ${to === null ? 'now' : time(to)} UTC`;
}

export function sourceText(m: ReportModel): string {
  return m.source.kind === 'files'
    ? `files in ${m.source.location}`
    : `Elasticsearch ${m.source.location} (${m.source.index_prefix}-summaries-*, ${m.source.index_prefix}-stats-*)`;
}

export const BYTES_METHOD_TEXT: Record<ReportModel['totals']['bytes_out_method'], string> = {
  doc_bytes: 'exact: Σ logsift.doc_bytes',
  measured: 'exact: JSON bytes of each document as written',
  mixed: 'exact: logsift.doc_bytes where present, else measured',
  sampled_estimate: 'ESTIMATE: documents × mean JSON size of a sample',
};

export const DIMENSION_TITLES = {
  component: 'By component',
  category: 'By category',
  node: 'By node',
  namespace: 'By namespace',
} as const;

/** Truncate to n characters with an ellipsis. */
export const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** `1 line`, `2 lines`. */
export const plural = (n: number, word: string, many = `${word}s`): string =>
  `${int(n)} ${n === 1 ? word : many}`;

/** A finding kind as a heading. */
export const KIND_TITLES = {
  new: 'New error',
  spread: 'Spreading over nodes',
  rising: 'Rate keeps rising',
  'reset-on-restart': 'Grows until restart',
  'known-issue': 'Known Calico issue',
  noise: 'Noise worth dropping',
} as const;

/** Up to `max` names, then `and N more`. */
export function names(list: readonly string[], max = 8): string {
  if (list.length <= max) return list.join(', ');
  return `${list.slice(0, max).join(', ')} and ${list.length - max} more`;
}

/** A pod label with its node, without `(none)` placeholders. */
export function podLabel(pod: string, node: string): string {
  const none = (s: string) => s === '' || s === '(none)';
  if (none(pod)) return none(node) ? '(no pod)' : `(no pod) on ${node}`;
  return none(node) ? pod : `${pod} (${node})`;
}

/** `HH:MM` of an ISO time (UTC). */
export const hhmm = (iso: string): string => iso.slice(11, 16);

/** The known issue of a finding in one line. */
export function knownIssueText(k: {
  title: string;
  affected: string;
  fixed_in: string | null;
  link: string;
}): string {
  return `${k.title} — affected ${k.affected}, ${k.fixed_in ? `fixed in ${k.fixed_in}` : 'no fixed release named upstream'} (${k.link})`;
}
