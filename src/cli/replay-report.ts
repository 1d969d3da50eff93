/**
 * INTERIM report for `logsift replay`, until src/report's file backend and renderers land; then
 * replay prints the shared report (one report, not two) and this file is deleted.
 * Reads the NDJSON the file sink wrote, so it shows exactly what a user would index.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsDoc, SummaryDoc } from '../domain/documents.ts';
import type { FilePipelineResult } from '../pipeline/file-pipeline.ts';
import { STATS_FILE, SUMMARIES_FILE } from '../sinks/file/index.ts';

interface Row {
  key: string;
  records: number;
  summaries: number;
}

function readHits<T>(path: string): Map<string, T> {
  const out = new Map<string, T>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const hit = JSON.parse(line) as { _id: string; _source: T };
    out.set(hit._id, hit._source); // last line with an id wins
  }
  return out;
}

export async function renderInterimReport(
  r: FilePipelineResult,
  outDir: string,
  format: string,
): Promise<string> {
  const summaries = [...readHits<SummaryDoc>(join(outDir, SUMMARIES_FILE)).values()];
  const stats = [...readHits<StatsDoc>(join(outDir, STATS_FILE)).values()];
  const group = (key: (d: SummaryDoc) => string): Row[] => {
    const m = new Map<string, Row>();
    for (const d of summaries) {
      const k = key(d);
      const row = m.get(k) ?? { key: k, records: 0, summaries: 0 };
      row.records += d.logsift.count;
      row.summaries += 1;
      m.set(k, row);
    }
    return [...m.values()].sort((a, b) => b.records - a.records || (a.key < b.key ? -1 : 1));
  };
  const byComponent = group((d) => d.calico.component);
  const byCategory = group((d) => d.logsift.category);
  const byFingerprint = group(
    (d) => `${d.logsift.fingerprint}  ${d.logsift.category}  ${d.calico.component}  ${d.logsift.template}`,
  );
  const docsOut = summaries.length + stats.length;
  const reduction = r.unitsRead > 0 ? 100 * (1 - docsOut / r.unitsRead) : 0;
  const bytesOut = stats.reduce((a, s) => a + (s.logsift.bytes_out ?? 0), 0);

  if (format === 'json') {
    return `${JSON.stringify({ records_in: r.unitsRead, summaries_out: summaries.length, stats_out: stats.length, reduction_pct: round1(reduction), bytes_in: r.bytesRead, bytes_out: bytesOut, by_component: byComponent, by_category: byCategory, top_fingerprints: byFingerprint.slice(0, 10) }, null, 2)}\n`;
  }
  const table = (title: string, rows: Row[], limit: number): string => {
    const w = Math.min(90, Math.max(title.length, ...rows.slice(0, limit).map((x) => x.key.length)));
    const lines = [`${title.padEnd(w)}  ${'lines in'.padStart(10)}  ${'summaries'.padStart(9)}  reduction`];
    for (const x of rows.slice(0, limit)) {
      const k = x.key.length > w ? `${x.key.slice(0, w - 1)}…` : x.key;
      lines.push(
        `${k.padEnd(w)}  ${String(x.records).padStart(10)}  ${String(x.summaries).padStart(9)}  ${round1(
          100 * (1 - x.summaries / x.records),
        )
          .toFixed(1)
          .padStart(8)}%`,
      );
    }
    return lines.join('\n');
  };
  return [
    'calico-logsift replay report (interim)',
    '',
    `lines in       ${r.unitsRead}`,
    `summaries out  ${summaries.length} (+ ${stats.length} stats documents)`,
    `reduction      ${round1(reduction).toFixed(1)}% of documents; bytes ${r.bytesRead} -> ${bytesOut}`,
    `dead letters   ${r.deadLettered}`,
    '',
    table('component', byComponent, 20),
    '',
    table('category', byCategory, 20),
    '',
    table('top fingerprints', byFingerprint, 10),
    '',
  ].join('\n');
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
