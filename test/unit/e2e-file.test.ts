/**
 * End to end over the bundled sample: the committed gzip is exactly what scripts/gen-sample.ts
 * produces, and `logsift replay --sample` counts every one of its lines.
 * The bin/logsift test runs the built CLI (npm test builds first; alone: `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateSampleText, SAMPLE_PATH, sha256 } from '../../scripts/gen-sample.ts';
import type { StatsDoc, SummaryDoc } from '../../src/domain/documents.ts';
import { cli } from './cli/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function hits<T>(path: string): T[] {
  const byId = new Map<string, T>();
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    if (l === '') continue;
    const h = JSON.parse(l) as { _id: string; _source: T };
    byId.set(h._id, h._source);
  }
  return [...byId.values()];
}

describe('bundled sample', () => {
  const committed = gunzipSync(readFileSync(SAMPLE_PATH)).toString('utf8');

  it('is reproducible from scripts/gen-sample.ts (regenerate: node --import tsx scripts/gen-sample.ts)', () => {
    expect(sha256(generateSampleText())).toBe(sha256(committed));
  });

  it('stays small and looks like one day of a 3-node cluster', () => {
    expect(readFileSync(SAMPLE_PATH).length).toBeLessThan(2 * 1024 * 1024);
    const lines = committed.split('\n');
    const tier = lines.filter((l) => l.includes('kube-controllers/client.go 414: Tier')).length;
    expect(tier).toBe(17_280);
    expect(committed).toContain('too many open files');
    expect(committed).toContain('no buffer space available');
    expect(committed).toContain('goroutine 218 [running]:');
    expect(committed).toMatch(/stdout P /);
    expect(committed).toContain('"kubernetes":{"pod_name"');
  });

  it('replay --sample: Σ counts == lines read, stats agree, Tier lines collapse', async () => {
    const out = mkdtempSync(join(tmpdir(), 'logsift-e2e-'));
    const r = await cli(['replay', '--sample', '--out', out, '--format', 'json']);
    expect(r.stderr).toContain('counts verified');
    expect(r.code).toBe(0);
    const lines = committed.split('\n').length - 1;
    const summaries = hits<SummaryDoc>(join(out, 'summaries.ndjson'));
    const stats = hits<StatsDoc>(join(out, 'stats.ndjson'));
    expect(summaries.reduce((a, d) => a + d.logsift.count, 0)).toBe(lines);
    expect(stats.reduce((a, d) => a + d.logsift.records_in, 0)).toBe(lines);
    const kcTier = summaries.filter(
      (d) => d.logsift.category === 'tier-exists' && d.calico.component === 'kube-controllers',
    );
    expect(kcTier.reduce((a, d) => a + d.logsift.count, 0)).toBe(17_280);
    expect(kcTier.length).toBeLessThanOrEqual(48);
    const report = JSON.parse(r.stdout) as { totals: { records_in: number } };
    expect(report.totals.records_in).toBe(lines);
  });

  it('bin/logsift runs the built CLI', () => {
    const v = execFileSync('node', [join(ROOT, 'bin', 'logsift'), '--version'], { encoding: 'utf8' });
    expect(v.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
