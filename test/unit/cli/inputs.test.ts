/** replay / fingerprint over several inputs: partitions, meta from kubelet file names, exact counts. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SummaryDoc } from '../../../src/domain/documents.ts';
import { cli } from './helpers.ts';

const ID = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123';
const cal = (s: number, msg: string) =>
  `2025-01-14T09:30:${String(s).padStart(2, '0')}.000000001Z stderr F 2025-01-14 09:30:${String(s).padStart(2, '0')}.000 [INFO][63] felix/route_table.go 303: ${msg}`;

/** A /var/log/containers-like directory with two calico-node pods and one typha pod (CRI lines). */
function containersDir(): { dir: string; lines: number } {
  const dir = join(mkdtempSync(join(tmpdir(), 'logsift-multi-')), 'containers');
  mkdirSync(dir);
  let lines = 0;
  const put = (name: string, content: string[]) => {
    writeFileSync(join(dir, name), `${content.join('\n')}\n`);
    lines += content.length;
  };
  put(`calico-node-b_calico-system_calico-node-${ID}.log`, [
    cal(1, 'Syncing routes'),
    cal(2, 'Syncing routes'),
    '',
  ]);
  put(`calico-node-a_calico-system_calico-node-${ID}.log`, [cal(3, 'Syncing routes')]);
  put(`calico-typha-x_calico-system_calico-typha-${ID}.log`, [cal(4, 'Syncing routes'), cal(5, 'Other')]);
  return { dir, lines };
}

function docs(path: string): SummaryDoc[] {
  const byId = new Map<string, SummaryDoc>();
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    if (l === '') continue;
    const hit = JSON.parse(l) as { _id: string; _source: SummaryDoc };
    byId.set(hit._id, hit._source);
  }
  return [...byId.values()];
}

describe('replay over several inputs', () => {
  it("the help's own example: a pattern; one partition per file in sorted order; pods from the names; counts exact", async () => {
    const { dir, lines } = containersDir();
    const out = join(dir, '..', 'out');
    const r = await cli([
      'replay',
      join(dir, 'calico-node-*.log'),
      join(dir, 'calico-typha-*.log'),
      '--out',
      out,
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${lines} lines from 3 inputs .*counts verified`));
    const summaries = docs(join(out, 'summaries.ndjson'));
    expect(summaries.reduce((n, d) => n + d.logsift.count, 0)).toBe(lines);
    const byPartition = new Map<number, Set<string>>();
    // Dead-letter counters (the empty line) carry no pod: only summaries are compared.
    for (const d of summaries.filter((x) => x.logsift.kind === 'summary')) {
      const set = byPartition.get(d.kafka.partition) ?? new Set();
      set.add(`${d.kubernetes?.namespace}/${d.kubernetes?.pod?.name}/${d.container?.name}|${d.kafka.topic}`);
      byPartition.set(d.kafka.partition, set);
    }
    expect([...byPartition.entries()].sort(([a], [b]) => a - b).map(([p, s]) => [p, [...s]])).toEqual([
      [0, [`calico-system/calico-node-a/calico-node|calico-node-a_calico-system_calico-node-${ID}.log`]],
      [1, [`calico-system/calico-node-b/calico-node|calico-node-b_calico-system_calico-node-${ID}.log`]],
      [2, [`calico-system/calico-typha-x/calico-typha|calico-typha-x_calico-system_calico-typha-${ID}.log`]],
    ]);
  });

  it('the same arguments give the same documents (ids and bytes); a directory is its sorted files', async () => {
    const { dir } = containersDir();
    const a = join(dir, '..', 'a');
    const b = join(dir, '..', 'b');
    const c = join(dir, '..', 'c');
    expect((await cli(['replay', dir, '--out', a, '-q'])).code).toBe(0);
    expect((await cli(['replay', dir, '--out', b, '-q'])).code).toBe(0);
    expect((await cli(['replay', join(dir, '*.log'), '--out', c, '-q'])).code).toBe(0);
    const read = (d: string) => readFileSync(join(d, 'summaries.ndjson'), 'utf8');
    expect(read(a)).toBe(read(b));
    expect(read(c)).toBe(read(a));
  });

  it('stdin among files is its own partition', async () => {
    const { dir } = containersDir();
    const out = join(dir, '..', 'out');
    const r = await cli(['replay', join(dir, 'calico-typha-*.log'), '-', '--out', out, '-q'], {
      stdin: '[pod/calico-node-z/calico-node] 2025-01-14 09:30:09.000 [INFO][1] felix/x.go 1: from kubectl\n',
    });
    expect(r.code).toBe(0);
    const fromStdin = docs(join(out, 'summaries.ndjson')).filter((d) => d.kafka.partition === 1);
    expect(fromStdin.map((d) => [d.kafka.topic, d.kubernetes?.pod?.name, d.logsift.count])).toEqual([
      ['stdin', 'calico-node-z', 1],
    ]);
  });
});

describe('fingerprint over several inputs', () => {
  it('adds node / namespace / pod / container when known, and input when there are several', async () => {
    const { dir } = containersDir();
    const r = await cli(['fingerprint', join(dir, 'calico-node-a_*'), join(dir, 'calico-node-b_*')]);
    expect(r.code).toBe(0);
    const objs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      objs.map((o) => [o.line, o.pod, o.namespace, o.container, String(o.input).endsWith('.log')]),
    ).toEqual([
      [1, 'calico-node-a', 'calico-system', 'calico-node', true],
      [1, 'calico-node-b', 'calico-system', 'calico-node', true],
      [2, 'calico-node-b', 'calico-system', 'calico-node', true],
      [3, 'calico-node-b', 'calico-system', 'calico-node', true], // the empty line: a dead letter
    ]);
    expect(objs[3]).toMatchObject({ category: 'dead-letter' });
    expect(Object.keys(objs[0]!)).toEqual(
      expect.arrayContaining([
        'line',
        'lines',
        'units',
        'fingerprint',
        'category',
        'component',
        'level',
        'template',
        'params',
      ]),
    );
  });

  it('one input: no input field; prefix meta from stdin lines', async () => {
    const r = await cli(['fingerprint'], {
      stdin:
        'calico-system calico-node-q calico-node 2025-01-14 09:30:09.000 [INFO][1] felix/x.go 1: via stern\n',
    });
    const o = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(o).toMatchObject({
      namespace: 'calico-system',
      pod: 'calico-node-q',
      container: 'calico-node',
      component: 'felix',
    });
    expect(o.input).toBeUndefined();
    expect(o.node).toBeUndefined();
  });
});
