/**
 * The HTML report: ONE self-contained file (inline CSS, inline SVG, a few lines of inline JS for the
 * theme switch; no CDN, no font, no request), readable offline, in light and dark. The model is also
 * embedded as JSON (`<script type="application/json" id="report-data">`) for anyone scraping it.
 */
import type { Finding } from '../../findings/types.ts';
import type { Breakdown, FingerprintRow, ReportModel } from '../model.ts';
import {
  BYTES_METHOD_TEXT,
  bytes,
  DIMENSION_TITLES,
  int,
  KIND_TITLES,
  pct,
  plural,
  podLabel,
  rangeText,
  sourceText,
  time,
} from './format.ts';
import { esc, hbars, miniColumns, PALETTE, stackedBars, stackedColumns, timeChart } from './svg.ts';

const CSS = `
:root{--bg:#f7f8fa;--panel:#fff;--fg:#1d2330;--muted:#5d6779;--line:#e2e6ee;--grid:#e9ecf2;--accent:#4e79a7;--inner:#e15759;--warn-bg:#fff6e5;--warn-line:#f0b54a;--good:#2e8b57;--code:#f0f2f6}
@media (prefers-color-scheme: dark){:root:not([data-theme=light]){--bg:#11141a;--panel:#191d25;--fg:#e6e9ef;--muted:#9aa3b2;--line:#2a303b;--grid:#242a34;--accent:#6b9bd1;--inner:#ff7b7b;--warn-bg:#2b2415;--warn-line:#c99532;--good:#5cc98b;--code:#222833}}
:root[data-theme=dark]{--bg:#11141a;--panel:#191d25;--fg:#e6e9ef;--muted:#9aa3b2;--line:#2a303b;--grid:#242a34;--accent:#6b9bd1;--inner:#ff7b7b;--warn-bg:#2b2415;--warn-line:#c99532;--good:#5cc98b;--code:#222833}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:24px 20px 48px}
header{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;margin-bottom:18px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:0 0 8px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.meta{color:var(--muted);font-size:13px}
button.theme{background:var(--panel);color:var(--fg);border:1px solid var(--line);border-radius:8px;padding:6px 10px;cursor:pointer;font:inherit}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:0 0 18px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:14px 16px}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:26px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}
.card .s{color:var(--muted);font-size:12px}
.card.good .v{color:var(--good)}
section{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin:0 0 16px}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media (max-width:900px){.grid2{grid-template-columns:minmax(0,1fr)}}
.grid2>section{margin:0;min-width:0}
section,.cards,.card,.finding{min-width:0}
figure.chart{margin:0}
figure.chart svg{width:100%;height:auto;display:block}
svg text{fill:var(--fg);font-size:12px}
svg text.axis{fill:var(--muted);font-size:11px}
svg text.note{fill:var(--muted);font-size:12px}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .axisline{stroke:var(--line);stroke-width:1}
svg rect.inner{fill:var(--inner)}
svg g.bar:hover rect{opacity:.85}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin-top:6px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.n,td.wrap{white-space:normal}
td{overflow-wrap:anywhere}
@media (max-width:600px){main{padding:16px 10px 32px}section{padding:12px 10px}table{font-size:12px}th,td{padding:5px 4px}td.n,th.n{white-space:normal}header{flex-direction:column}.opt{display:none}.cards{grid-template-columns:repeat(auto-fit,minmax(140px,1fr))}}
tbody tr:hover{background:color-mix(in srgb,var(--accent) 7%,transparent)}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
.finding{background:var(--warn-bg);border:1px solid var(--warn-line);border-left-width:5px;border-radius:10px;padding:12px 16px;margin:0 0 12px}
.finding h3{margin:0 0 6px;font-size:15px;color:var(--fg);text-transform:none;letter-spacing:0}.finding p{margin:4px 0}
.finding .kind{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;border:1px solid var(--warn-line);border-radius:6px;padding:0 6px;margin-right:8px;vertical-align:1px}
.finding .nodes code{display:inline-block;margin:0 4px 4px 0}
.finding a{color:var(--accent);overflow-wrap:anywhere}
#findings>h2{margin-bottom:10px}
.muted{color:var(--muted)}
details summary{cursor:pointer;color:var(--muted)}
.scroll{overflow-x:auto}
footer{color:var(--muted);font-size:12px;margin-top:20px}
`;

const SCRIPT = `(function(){var r=document.documentElement,b=document.getElementById('theme'),m=['auto','light','dark'],i=0;
function s(){var t=m[i];if(t==='auto'){r.removeAttribute('data-theme')}else{r.setAttribute('data-theme',t)}b.textContent='Theme: '+t}
b.addEventListener('click',function(){i=(i+1)%m.length;s()});s()})();`;

const td = (s: string, num = false): string => `<td${num ? ' class="n"' : ''}>${s}</td>`;
/** A number cell that may break between its parts (`13.6 MB → 1.17 MB`). */
const tdWrap = (s: string): string => `<td class="n wrap opt">${s}</td>`;
const tdOpt = (s: string): string => `<td class="n opt">${s}</td>`;
const th = (s: string, num = false, opt = false): string =>
  `<th${num || opt ? ` class="${[num ? 'n' : '', opt ? 'opt' : ''].join(' ').trim()}"` : ''}>${esc(s)}</th>`;
const code = (s: string): string => `<code>${esc(s)}</code>`;

/** Columns marked optional (third flag) are hidden on narrow screens, so the table fits a phone. */
function table(head: Array<[string, boolean?, boolean?]>, rows: string[][]): string {
  return `<div class="scroll"><table><thead><tr>${head.map(([h, n, o]) => th(h, n, o)).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

function breakdownTable(dim: string, b: Breakdown): string {
  const rows = b.rows.map((r) => [
    td(esc(r.key)),
    td(int(r.records_in), true),
    tdOpt(pct(r.share_pct)),
    td(int(r.documents_out), true),
    tdWrap(`${bytes(r.bytes_in)} → ${bytes(r.bytes_out)}`),
    td(pct(r.reduction_pct), true),
    td(pct(r.reduction_bytes_pct), true),
  ]);
  if (b.other) {
    rows.push([
      td(`<span class="muted">${b.other.rows} more</span>`),
      td(int(b.other.records_in), true),
      tdOpt(''),
      td(int(b.other.documents_out), true),
      tdWrap(`${bytes(b.other.bytes_in)} → ${bytes(b.other.bytes_out)}`),
      td('', true),
      td('', true),
    ]);
  }
  return table(
    [
      [dim],
      ['lines in', true],
      ['share', true, true],
      ['docs out', true],
      ['bytes in → out', true, true],
      ['fewer docs', true],
      ['fewer bytes', true],
    ],
    rows,
  );
}

function fingerprintTable(items: FingerprintRow[], withShare: boolean): string {
  return table(
    [
      ['#', true, true],
      ['lines', true],
      [withShare ? 'share' : 'first seen', true],
      ['component'],
      ['category', false, true],
      ['template and example'],
    ],
    items.map((r, i) => [
      `<td class="n opt">${i + 1}</td>`,
      td(int(r.records_in), true),
      td(withShare ? pct(r.share_pct) : esc(time(r.first_seen)), true),
      td(esc(r.component)),
      `<td class="opt">${esc(r.category)}</td>`,
      td(
        `${code(r.template)}<details><summary>example · ${esc(r.fingerprint)} · ${esc(r.level)} · ${int(r.documents_out)} docs</summary>${code(r.example)}</details>`,
      ),
    ]),
  );
}

function findingHtml(f: Finding, i: number): string {
  const ki = f.known_issue;
  const related =
    f.related.length > 0
      ? `<p class="muted">with ${f.related.map((r) => `${code(r.template)} (${int(r.lines)})`).join(' ')}</p>`
      : '';
  const issue = ki
    ? `<p>Known issue: <a href="${esc(ki.link)}">${esc(ki.title)}</a> · affected ${esc(ki.affected)} · ${ki.fixed_in ? `fixed in ${esc(ki.fixed_in)}` : 'no fixed release named upstream'}</p>`
    : '';
  const nodes =
    f.nodes.length > 0
      ? `<p class="nodes muted">${plural(f.nodes.length, 'node')}: ${f.nodes
          .slice(0, 40)
          .map(code)
          .join('')}${f.nodes.length > 40 ? ` and ${f.nodes.length - 40} more` : ''}</p>`
      : '';
  return (
    `<article class="finding" data-kind="${esc(f.kind)}" data-id="${esc(f.id)}"><h3><span class="kind">${esc(KIND_TITLES[f.kind])}</span>${i + 1}. ${esc(f.category)} from ${esc(f.component)} since ${esc(time(f.started_at))} UTC · ${plural(f.lines, 'line')}</h3>` +
    `<p>${code(f.template)}</p>${related}<p>${esc(f.explanation)}</p><p><strong>${esc(f.advice)}</strong></p>${issue}${nodes}` +
    miniColumns(f.evidence.series, f.evidence.step_s, {
      label: `Lines per ${f.evidence.step_s / 60} min of finding ${i + 1}`,
    }) +
    `</article>`
  );
}

export function renderHtml(m: ReportModel): string {
  const t = m.totals;
  const times = m.series.points.map((p) => p.t);
  const body: string[] = [];

  body.push(
    `<header><div><h1>Calico findings and log-volume report</h1><div class="meta">${esc(sourceText(m))}<br>Range: ${esc(rangeText(m))} · data ${esc(time(t.data_from))} → ${esc(time(t.data_to))} UTC · ${esc(m.series.interval)} buckets · generated ${esc(time(m.generated_at))} UTC</div></div>` +
      `<button class="theme" id="theme" type="button">Theme: auto</button></header>`,
  );

  body.push(
    `<section id="findings"><h2>Findings (${m.findings.length})</h2>${
      m.findings.length === 0
        ? '<p class="muted">None: no new, spreading or rising error, no known Calico issue, no outsized noise.</p>'
        : m.findings.map(findingHtml).join('')
    }</section>`,
  );

  const card = (k: string, v: string, s: string, cls = ''): string =>
    `<div class="card ${cls}"><div class="k">${esc(k)}</div><div class="v">${v}</div><div class="s">${s}</div></div>`;
  body.push(
    `<div class="cards">` +
      card('Lines in', int(t.records_in), `${bytes(t.bytes_in)} read`) +
      card(
        'Documents out',
        int(t.documents_out),
        `${int(t.summaries_out)} summaries · ${int(t.dlq_docs)} dead-letter · ${int(t.stats_docs)} stats`,
      ) +
      card('Reduction by count', pct(t.reduction_count_pct), 'lines → documents', 'good') +
      card(
        'Reduction by bytes',
        pct(t.reduction_bytes_pct),
        `${bytes(t.bytes_in)} → ${bytes(t.bytes_out)}`,
        'good',
      ) +
      card('Fingerprints', int(t.fingerprints), `${int(m.new_fingerprints.total)} new in range`) +
      card(
        'Dead-lettered',
        int(t.dead_lettered),
        `stats check: ${t.stats_records_in === t.records_in ? 'equal ✓' : `differs (${int(t.stats_records_in)})`}` +
          (t.lost_by_retention > 0
            ? ` · ${int(t.lost_by_retention)} lost to Kafka retention before read`
            : ''),
      ) +
      `</div>`,
  );

  if (times.length > 0) {
    body.push(
      `<section id="chart-volume"><h2>Volume in vs out</h2><p class="muted">Lines read and documents written per ${esc(m.series.interval)} (log scale).</p>${timeChart(
        times,
        [
          { name: 'lines in', color: PALETTE[0]!, values: m.series.points.map((p) => p.records_in) },
          { name: 'documents out', color: PALETTE[2]!, values: m.series.points.map((p) => p.documents_out) },
        ],
        { log: true, label: 'Volume in vs out over time' },
      )}</section>`,
    );
  }

  const comp = m.breakdowns.component.rows;
  const top = m.top_fingerprints;
  body.push(
    `<div class="grid2"><section id="chart-components"><h2>Lines in vs documents out by component</h2><p class="muted">Bar: lines in; red: documents out on the same scale; the note is the reduction in documents per line (a count, not bytes).</p>${hbars(
      comp.map((r) => ({
        label: r.key,
        value: r.records_in,
        inner: r.documents_out,
        note: `${pct(r.reduction_pct)} fewer docs · ${int(r.documents_out)} docs`,
        title: `${r.key}: ${int(r.records_in)} lines → ${int(r.documents_out)} documents (${pct(r.reduction_pct)}); ${bytes(r.bytes_in)} → ${bytes(r.bytes_out)}`,
      })),
      { label: 'Reduction by component', labelWidth: 130, width: 560 },
    )}</section>` +
      `<section id="chart-categories"><h2>Lines by category</h2><p class="muted">Share of all lines read.</p>${hbars(
        m.breakdowns.category.rows.map((r, i) => ({
          label: r.key,
          value: r.records_in,
          color: PALETTE[(i + 3) % PALETTE.length]!,
          note: `${pct(r.share_pct)} · ${int(r.records_in)}`,
          title: `${r.key}: ${int(r.records_in)} lines (${pct(r.share_pct)}), ${int(r.documents_out)} documents`,
        })),
        { label: 'Lines by category', labelWidth: 120, width: 560 },
      )}</section></div>`,
  );

  if (top.length > 0) {
    body.push(
      `<section id="chart-top"><h2>Top fingerprints by volume</h2>${hbars(
        top.map((r) => ({
          label: r.template || r.fingerprint,
          value: r.records_in,
          note: `${pct(r.share_pct)} · ${int(r.records_in)}`,
          title: `${r.fingerprint} (${r.component}, ${r.category}): ${int(r.records_in)} lines, ${pct(r.share_pct)}\n${r.template}`,
        })),
        { label: 'Top fingerprints by volume', labelWidth: 430 },
      )}<details><summary>table with examples</summary>${fingerprintTable(top, true)}</details></section>`,
    );
  }

  const nl = m.netlink;
  const te = m.tier_exists;
  if (nl.total > 0 || te.total > 0) {
    const parts: string[] = [];
    if (nl.total > 0) {
      const keys = nl.by_errno.map((r) => r.errno);
      parts.push(
        `<section id="chart-netlink"><h2>Netlink errors by errno</h2><p class="muted">${int(nl.total)} lines on ${int(nl.nodes_affected)} node(s), per ${esc(m.series.interval)}.</p>${stackedColumns(
          nl.series.map((p) => p.t),
          keys,
          nl.series.map((p) => p.counts),
          { label: 'Netlink errors by errno over time', width: 560 },
        )}${table(
          [['errno'], ['lines', true], ['nodes', true]],
          nl.by_errno.map((r) => [td(code(r.errno)), td(int(r.count), true), td(int(r.nodes), true)]),
        )}${
          nl.by_operation.length > 0
            ? table(
                [['operation'], ['lines', true]],
                nl.by_operation.map((r) => [td(code(r.key)), td(int(r.count), true)]),
              )
            : ''
        }${nl.params_source === 'unavailable' ? '<p class="muted">errno split unavailable: documents lack logsift.param_values</p>' : ''}</section>`,
      );
    }
    if (te.total > 0) {
      const tiers = te.by_tier.map((r) => r.key);
      const pods = te.by_pod.map((p) => p.pod);
      const rows = pods.map((pod) => {
        const partsByTier: Record<string, number> = {};
        for (const r of te.by_tier_pod) if (r.pod === pod) partsByTier[r.tier] = r.count;
        if (te.params_source === 'unavailable')
          partsByTier['(unknown)'] = te.by_pod.find((p) => p.pod === pod)!.count;
        const node = te.by_pod.find((p) => p.pod === pod)?.node ?? '';
        return { label: podLabel(pod, node), parts: partsByTier };
      });
      const keys = te.params_source === 'unavailable' ? ['(unknown)'] : tiers;
      parts.push(
        `<section id="chart-tier"><h2>Tier-exists per pod and tier</h2><p class="muted">${int(te.total)} lines.</p>${stackedBars(
          rows,
          keys,
          {
            label: 'Tier-exists per pod and tier',
            width: 560,
            labelWidth: 250,
          },
        )}${table(
          [['tier'], ['lines', true]],
          te.by_tier.map((r) => [td(code(r.key)), td(int(r.count), true)]),
        )}</section>`,
      );
    }
    body.push(parts.length === 2 ? `<div class="grid2">${parts.join('')}</div>` : parts.join(''));
  }

  const nf = m.new_fingerprints;
  body.push(
    `<section id="new"><h2>New fingerprints${nf.baseline ? ` (${int(nf.total)})` : ''}</h2><p class="muted">${
      nf.baseline
        ? 'First seen in this range and never before it.'
        : 'Pass --from to list the fingerprints first seen in a range; the “new” findings above judge onsets within the data.'
    }</p>${nf.items.length > 0 ? fingerprintTable(nf.items, false) : ''}</section>`,
  );

  body.push(
    `<div class="grid2">${(['component', 'category', 'node', 'namespace'] as const)
      .map(
        (d) =>
          `<section id="by-${d}"><h3>${esc(DIMENSION_TITLES[d])}</h3>${breakdownTable(d, m.breakdowns[d])}</section>`,
      )
      .join('')}</div>`,
  );

  if (m.dead_letters.total > 0) {
    body.push(
      `<section id="dead-letters"><h2>Dead letters (${plural(m.dead_letters.total, 'line')})</h2>${table(
        [['reason'], ['lines', true], ['bytes', true]],
        m.dead_letters.by_reason.map((r) => [
          td(code(r.reason)),
          td(int(r.count), true),
          td(bytes(r.bytes), true),
        ]),
      )}</section>`,
    );
  }

  const notes = [`Bytes out: ${BYTES_METHOD_TEXT[t.bytes_out_method]}.`, ...m.notes];
  body.push(
    `<footer>${notes.map((n) => `<div>${esc(n)}</div>`).join('')}<div>calico-logsift · report schema v${m.schema_version}</div></footer>`,
  );

  const data = JSON.stringify(m).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Calico findings and log-volume report · ${esc(rangeText(m))}</title>
<style>${CSS}</style></head>
<body><main>
${body.join('\n')}
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
