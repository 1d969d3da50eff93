// The document contract, its JSON Schemas and the index templates agree: fixture documents validate,
// every field of the schemas is mapped (flattened/nested subtrees excepted), the root is not dynamic,
// and the installer's replica rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIndexTemplates, replicasFor } from '../../../src/sinks/elasticsearch/templates.ts';
import { mappingFieldTypes } from '../kibana/kql.ts';
import { buildFixture } from './fixture.ts';
import { schemaValidator } from './helpers.ts';

type Schema = { properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema };

function schemaPaths(s: Schema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v.properties) out.push(...schemaPaths(v, path));
    else out.push(path);
  }
  return out;
}

const schema = (f: string) =>
  JSON.parse(readFileSync(new URL(`../../../schemas/${f}`, import.meta.url), 'utf8')) as Schema;

describe('index templates and document schemas', () => {
  const templates = loadIndexTemplates('acme');
  const mappings = (kind: 'summaries' | 'stats') =>
    (
      templates.find((t) => t.kind === kind)!.body as {
        template: { mappings: Record<string, unknown> & { properties: Record<string, unknown> } };
      }
    ).template.mappings;

  it('substitutes the prefix and names the templates', () => {
    expect(templates.map((t) => t.name)).toEqual(['acme-summaries', 'acme-stats']);
    expect(templates.map((t) => (t.body as { index_patterns: string[] }).index_patterns)).toEqual([
      ['acme-summaries-*'],
      ['acme-stats-*'],
    ]);
    expect(JSON.stringify(templates)).not.toContain('{{prefix}}');
    expect(() => loadIndexTemplates('Bad Prefix')).toThrow(/invalid index prefix/);
  });

  it('replicas: 1 in the templates (production); lowered only for clusters too small to hold them', () => {
    for (const t of templates) {
      expect(
        (t.body as { template: { settings: { index: { number_of_replicas: number } } } }).template.settings
          .index.number_of_replicas,
      ).toBe(1);
    }
    expect(replicasFor(1)).toBe(0);
    expect(replicasFor(2)).toBe(1);
    expect(replicasFor(5)).toBe(1);
    expect(replicasFor(5, 2)).toBe(2);
    const low = loadIndexTemplates('acme', { replicas: replicasFor(1) });
    expect(
      (low[0]!.body as { template: { settings: { index: { number_of_replicas: number } } } }).template
        .settings.index.number_of_replicas,
    ).toBe(0);
  });

  it('mappings are not dynamic at the root; free-form maps are flattened', () => {
    for (const kind of ['summaries', 'stats'] as const) expect(mappings(kind).dynamic).toBe(false);
    const s = mappingFieldTypes(mappings('summaries'));
    expect(s['logsift.params']).toBe('flattened');
    expect(s['logsift.flags']).toBe('flattened');
    expect(s['logsift.param_values']).toBe('nested');
    expect(s['logsift.template']).toBe('keyword');
    expect(s['logsift.template.text']).toBe('text');
    expect(s.message).toBe('text');
    const st = mappingFieldTypes(mappings('stats'));
    expect(st['logsift.by_category']).toBe('flattened');
    expect(st['logsift.by_level']).toBe('flattened');
  });

  it('every field of the JSON Schemas is mapped', () => {
    for (const [file, kind] of [
      ['summary.schema.json', 'summaries'],
      ['stats.schema.json', 'stats'],
    ] as const) {
      const mapped = mappingFieldTypes(mappings(kind));
      for (const path of schemaPaths(schema(file))) expect(mapped[path], `${file}: ${path}`).toBeDefined();
    }
  });

  it('fixture documents validate against the document schemas', () => {
    const fx = buildFixture({ nodes: 3, days: 1 });
    const vs = schemaValidator('summary.schema.json');
    const vt = schemaValidator('stats.schema.json');
    for (const d of fx.summaries) expect(vs(d)).toEqual([]);
    for (const d of fx.stats) expect(vt(d)).toEqual([]);
    expect(vs({ ...fx.summaries[0], logsift: { ...fx.summaries[0]!.logsift, count: -1 } })).not.toEqual([]);
  });
});
