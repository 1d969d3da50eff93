/**
 * Hand-written SVG charts for the HTML report: no library, no script, no external resource. Each chart
 * is a responsive <svg viewBox> whose colours come from CSS variables (light and dark themes), with a
 * <title> on every mark so hovering shows the exact figure.
 */

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#8cd17d',
];

export const esc = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

const nf = new Intl.NumberFormat('en-US');
const fmt = (n: number): string => nf.format(Math.round(n));
const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** 1.2k, 3.4M: axis labels. */
export function short(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${r1(n / 1e9)}G`;
  if (a >= 1e6) return `${r1(n / 1e6)}M`;
  if (a >= 1e3) return `${r1(n / 1e3)}k`;
  return r1(n);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function timeLabel(iso: string, spanMs: number): string {
  // Days apart: date only; within a few days: day and hour.
  return spanMs > 4 * 86_400_000 ? iso.slice(5, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export interface Series {
  name: string;
  color: string;
  values: number[];
}

/**
 * Line/area chart over time. `log`: log10 y axis (in vs out differ by orders of magnitude).
 */
export function timeChart(
  times: string[],
  series: Series[],
  opts: { log?: boolean; height?: number; label: string },
): string {
  const W = 900;
  const H = opts.height ?? 260;
  const m = { l: 56, r: 16, t: 14, b: 30 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const n = times.length;
  if (n === 0) return '';
  const all = series.flatMap((s) => s.values);
  const maxV = Math.max(1, ...all);
  const log = opts.log === true;
  const top = log ? 10 ** Math.ceil(Math.log10(maxV)) : niceMax(maxV);
  const y = (v: number): number => {
    if (log) return m.t + ih - (v <= 1 ? 0 : (Math.log10(v) / Math.log10(top)) * ih);
    return m.t + ih - (v / top) * ih;
  };
  const x = (i: number): number => m.l + (n === 1 ? iw / 2 : (i / (n - 1)) * iw);
  const parts: string[] = [];
  // Grid and y labels.
  const ticks = log
    ? Array.from({ length: Math.log10(top) + 1 }, (_, i) => 10 ** i)
    : Array.from({ length: 5 }, (_, i) => (top * i) / 4);
  for (const t of ticks) {
    const yy = y(t);
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="axis" x="${m.l - 6}" y="${yy + 4}" text-anchor="end">${short(t)}</text>`);
  }
  // X labels: about 6.
  const span = Date.parse(times[n - 1]!) - Date.parse(times[0]!);
  const step = Math.max(1, Math.ceil(n / 6));
  for (let i = 0; i < n; i += step) {
    parts.push(
      `<text class="axis" x="${x(i)}" y="${H - 8}" text-anchor="middle">${esc(timeLabel(times[i]!, span))}</text>`,
    );
  }
  for (const s of series) {
    const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const area = `M${x(0).toFixed(1)},${(m.t + ih).toFixed(1)} L${pts.join(' L')} L${x(n - 1).toFixed(1)},${(m.t + ih).toFixed(1)} Z`;
    parts.push(`<path class="area" d="${area}" fill="${s.color}" fill-opacity="0.18"/>`);
    parts.push(
      `<path class="line" d="M${pts.join(' L')}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"><title>${esc(s.name)}</title></path>`,
    );
    if (n <= 60) {
      s.values.forEach((v, i) => {
        parts.push(
          `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"><title>${esc(`${s.name} ${times[i]}: ${fmt(v)}`)}</title></circle>`,
        );
      });
    }
  }
  parts.push(`<line class="axisline" x1="${m.l}" x2="${W - m.r}" y1="${m.t + ih}" y2="${m.t + ih}"/>`);
  return svg(W, H, opts.label, parts, legend(series.map((s) => ({ name: s.name, color: s.color }))));
}

export interface BarRow {
  label: string;
  value: number;
  /** Text right of the bar. */
  note: string;
  title: string;
  color?: string;
  /** A second, thinner bar drawn over the first (e.g. documents out against records in). */
  inner?: number;
}

/** Horizontal bars with labels left and a note right. */
export function hbars(
  rows: BarRow[],
  opts: { label: string; labelWidth?: number; max?: number; width?: number },
): string {
  if (rows.length === 0) return '';
  const W = opts.width ?? 900;
  const rowH = 26;
  const lw = opts.labelWidth ?? 240;
  const noteW = opts.width !== undefined && opts.width < 700 ? 130 : 170;
  const H = rows.length * rowH + 8;
  const iw = W - lw - noteW - 16;
  const max = opts.max ?? Math.max(1, ...rows.map((r) => r.value));
  const parts = rows.map((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(r.value > 0 ? 2 : 0, (r.value / max) * iw);
    const inner =
      r.inner !== undefined
        ? `<rect class="inner" x="${lw}" y="${y + 8}" width="${Math.max(r.inner > 0 ? 2 : 0, (r.inner / max) * iw).toFixed(1)}" height="${rowH - 18}" rx="1"/>`
        : '';
    return (
      `<g class="bar"><title>${esc(r.title)}</title>` +
      `<text class="label" x="${lw - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(clipText(r.label, Math.floor(lw / 7)))}</text>` +
      `<rect x="${lw}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="3" fill="${r.color ?? 'var(--accent)'}"/>` +
      inner +
      `<text class="note" x="${lw + w + 8}" y="${y + rowH / 2 + 4}">${esc(r.note)}</text></g>`
    );
  });
  return svg(W, H, opts.label, parts);
}

/** Stacked vertical bars over time: one stack per bucket, one colour per key. */
export function stackedColumns(
  times: string[],
  keys: string[],
  counts: Array<Record<string, number>>,
  opts: { label: string; width?: number },
): string {
  const n = times.length;
  if (n === 0 || keys.length === 0) return '';
  const W = opts.width ?? 900;
  const H = 260;
  const m = { l: 56, r: 16, t: 14, b: 30 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const totals = counts.map((c) => keys.reduce((a, k) => a + (c[k] ?? 0), 0));
  const top = niceMax(Math.max(1, ...totals));
  const bw = iw / n;
  const gap = bw > 4 ? Math.min(2, bw * 0.2) : 0;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    const yy = m.t + ih - (v / top) * ih;
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="axis" x="${m.l - 6}" y="${yy + 4}" text-anchor="end">${short(v)}</text>`);
  }
  const span = Date.parse(times[n - 1]!) - Date.parse(times[0]!);
  const step = Math.max(1, Math.ceil(n / (W < 700 ? 4 : 6)));
  for (let i = 0; i < n; i += step) {
    parts.push(
      `<text class="axis" x="${(m.l + i * bw + bw / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${esc(timeLabel(times[i]!, span))}</text>`,
    );
  }
  counts.forEach((c, i) => {
    let y0 = m.t + ih;
    keys.forEach((k, ki) => {
      const v = c[k] ?? 0;
      if (v <= 0) return;
      const h = (v / top) * ih;
      y0 -= h;
      parts.push(
        `<rect x="${(m.l + i * bw + gap / 2).toFixed(2)}" y="${y0.toFixed(2)}" width="${Math.max(0.5, bw - gap).toFixed(2)}" height="${Math.max(0.5, h).toFixed(2)}" fill="${PALETTE[ki % PALETTE.length]}"><title>${esc(`${times[i]} ${k}: ${fmt(v)}`)}</title></rect>`,
      );
    });
  });
  parts.push(`<line class="axisline" x1="${m.l}" x2="${W - m.r}" y1="${m.t + ih}" y2="${m.t + ih}"/>`);
  return svg(
    W,
    H,
    opts.label,
    parts,
    legend(keys.map((k, i) => ({ name: k, color: PALETTE[i % PALETTE.length]! }))),
  );
}

/** Horizontal stacked bars: one row per label, segments per key. */
export function stackedBars(
  rows: Array<{ label: string; parts: Record<string, number> }>,
  keys: string[],
  opts: { label: string; width?: number; labelWidth?: number },
): string {
  if (rows.length === 0) return '';
  const W = opts.width ?? 900;
  const rowH = 28;
  const lw = opts.labelWidth ?? 300;
  const noteW = 70;
  const H = rows.length * rowH + 8;
  const iw = W - lw - noteW - 16;
  const totals = rows.map((r) => keys.reduce((a, k) => a + (r.parts[k] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const parts = rows.map((r, i) => {
    const y = 4 + i * rowH;
    let x = lw;
    const segs = keys
      .map((k, ki) => {
        const v = r.parts[k] ?? 0;
        if (v <= 0) return '';
        const w = Math.max(1.5, (v / max) * iw);
        const s = `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${PALETTE[ki % PALETTE.length]}"><title>${esc(`${r.label} · ${k}: ${fmt(v)}`)}</title></rect>`;
        x += w;
        return s;
      })
      .join('');
    return (
      `<g class="bar"><text class="label" x="${lw - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(clipText(r.label, Math.floor(lw / 6.6)))}</text>` +
      `${segs}<text class="note" x="${x + 8}" y="${y + rowH / 2 + 4}">${fmt(totals[i]!)}</text></g>`
    );
  });
  return svg(
    W,
    H,
    opts.label,
    parts,
    legend(keys.map((k, i) => ({ name: k, color: PALETTE[i % PALETTE.length]! }))),
  );
}

function clipText(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function legend(items: Array<{ name: string; color: string }>): string {
  return `<div class="legend">${items
    .map((i) => `<span><i style="background:${i.color}"></i>${esc(i.name)}</span>`)
    .join('')}</div>`;
}

function svg(w: number, h: number, label: string, parts: string[], after = ''): string {
  return (
    `<figure class="chart"><svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(label)}" preserveAspectRatio="xMinYMin meet">` +
    `${parts.join('')}</svg>${after}</figure>`
  );
}

/**
 * A small column chart of one count series (a finding's evidence) with its axes: the y scale at 0 and
 * the maximum, times at the start, middle and end.
 */
export function miniColumns(
  points: Array<{ t: string; count: number }>,
  stepS: number,
  opts: { label: string; color?: string },
): string {
  const n = points.length;
  if (n === 0) return '';
  const W = 900;
  const H = 130;
  const m = { l: 52, r: 12, t: 10, b: 26 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const max = Math.max(1, ...points.map((p) => p.count));
  const top = niceMax(max);
  const bw = iw / n;
  const gap = bw > 4 ? Math.min(2, bw * 0.2) : 0;
  const parts: string[] = [];
  for (const v of [0, top / 2, top]) {
    const yy = m.t + ih - (v / top) * ih;
    parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="axis" x="${m.l - 6}" y="${yy + 4}" text-anchor="end">${short(v)}</text>`);
  }
  const end = new Date(Date.parse(points[n - 1]!.t) + stepS * 1000).toISOString();
  const times: Array<[number, string, string]> = [
    [m.l, points[0]!.t, 'start'],
    [m.l + iw / 2, points[Math.floor(n / 2)]!.t, 'middle'],
    [W - m.r, end, 'end'],
  ];
  for (const [x, t, anchor] of times)
    parts.push(
      `<text class="axis" x="${x.toFixed(1)}" y="${H - 8}" text-anchor="${anchor}">${esc(`${t.slice(5, 10)} ${t.slice(11, 16)}`)}</text>`,
    );
  points.forEach((p, i) => {
    if (p.count <= 0) return;
    const h = (p.count / top) * ih;
    parts.push(
      `<rect x="${(m.l + i * bw + gap / 2).toFixed(2)}" y="${(m.t + ih - h).toFixed(2)}" width="${Math.max(0.5, bw - gap).toFixed(2)}" height="${Math.max(0.5, h).toFixed(2)}" fill="${opts.color ?? 'var(--accent)'}"><title>${esc(`${p.t}: ${fmt(p.count)} lines`)}</title></rect>`,
    );
  });
  parts.push(`<line class="axisline" x1="${m.l}" x2="${W - m.r}" y1="${m.t + ih}" y2="${m.t + ih}"/>`);
  return svg(W, H, opts.label, parts);
}
