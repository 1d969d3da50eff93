import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsTemplate } from '../../../src/report/findings-service.ts';
import {
  buildSavedObjects,
  DEFAULT_NDJSON_FILE,
  LENSES,
  SEARCHES,
  savedObjectsNdjson,
} from '../../../src/report/kibana.ts';
import { loadIndexTemplates } from '../../../src/sinks/elasticsearch/templates.ts';
import { kqlFields, kqlToQuery, mappingFieldTypes } from './kql.ts';

const FILE = new URL(`../../../schemas/kibana/${DEFAULT_NDJSON_FILE}`, import.meta.url);

function summaryFieldTypes(prefix = 'logsift') {
  const t = loadIndexTemplates(prefix).find((x) => x.kind === 'summaries')!;
  return mappingFieldTypes((t.body as { template: { mappings: object } }).template.mappings);
}

function findingFieldTypes(prefix = 'logsift') {
  return mappingFieldTypes(
    (findingsTemplate(prefix) as { template: { mappings: object } }).template.mappings,
  );
}

/** The field types of the index an object's data view reads. */
function typesFor(o: { references: Array<{ id: string }> }) {
  return o.references.some((r) => r.id.endsWith('-findings-data-view'))
    ? findingFieldTypes()
    : summaryFieldTypes();
}

describe('Kibana saved objects', () => {
  it('schemas/kibana file is the generator output for the default prefix (UPDATE_GOLDEN=1 rewrites it)', () => {
    const want = savedObjectsNdjson('logsift');
    if (process.env.UPDATE_GOLDEN) writeFileSync(FILE, want);
    expect(readFileSync(FILE, 'utf8')).toBe(want);
  });

  it('every line is an 8.x export object with its required attributes', () => {
    const lines = readFileSync(FILE, 'utf8').trimEnd().split('\n');
    const objs = lines.map((l) => JSON.parse(l));
    const required: Record<string, string[]> = {
      'index-pattern': ['title', 'timeFieldName', 'name'],
      search: ['title', 'columns', 'sort', 'kibanaSavedObjectMeta'],
      lens: ['title', 'visualizationType', 'state'],
      dashboard: ['title', 'panelsJSON', 'optionsJSON', 'kibanaSavedObjectMeta', 'timeRestore'],
    };
    const versions: Record<string, string> = {
      'index-pattern': '8.0.0',
      search: '8.0.0',
      lens: '8.9.0',
      dashboard: '8.9.0',
    };
    for (const o of objs) {
      expect(Object.keys(o).sort()).toEqual(
        [
          'attributes',
          'coreMigrationVersion',
          'created_at',
          'id',
          'managed',
          'references',
          'type',
          'typeMigrationVersion',
          'updated_at',
        ].sort(),
      );
      expect(o.coreMigrationVersion).toBe('8.8.0');
      expect(o.typeMigrationVersion).toBe(versions[o.type]);
      for (const a of required[o.type]!) expect(o.attributes, `${o.id}.${a}`).toHaveProperty(a);
      if (o.type === 'search') {
        const src = JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON);
        expect(src.query.language).toBe('kuery');
        expect(src.indexRefName).toBe('kibanaSavedObjectMeta.searchSourceJSON.index');
      }
      if (o.type === 'dashboard') {
        const panels = JSON.parse(o.attributes.panelsJSON);
        // The findings saved search, then every Lens chart.
        expect(panels.length).toBe(LENSES.length + 1);
        for (const p of panels)
          expect(o.references.map((r: { name: string }) => r.name)).toContain(
            `${p.panelIndex}:${p.panelRefName}`,
          );
      }
    }
    expect(objs.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title)).toEqual([
      'logsift-summaries-*',
      'logsift-stats-*',
      'logsift-findings-*',
    ]);
    expect(objs.filter((o) => o.type === 'search').length).toBe(SEARCHES.length);
    expect(new Set(objs.map((o) => o.id)).size).toBe(objs.length);
  });

  it('every reference resolves to an object in the file, of the right type', () => {
    const objs = buildSavedObjects('logsift');
    const byId = new Map(objs.map((o) => [o.id, o]));
    for (const o of objs) {
      expect(o.references.length, o.id).toBeGreaterThan(o.type === 'index-pattern' ? -1 : 0);
      for (const r of o.references) {
        expect(byId.get(r.id)?.type, `${o.id} -> ${r.id}`).toBe(r.type);
      }
    }
  });

  it('every field a data view, search or visualization names exists in its index template', () => {
    let count = 0;
    for (const o of buildSavedObjects('logsift')) {
      const types = typesFor(o);
      const named: string[] = [];
      // biome-ignore lint/suspicious/noExplicitAny: saved-object attributes, read by known paths
      const a = o.attributes as Record<string, any>;
      if (o.type === 'index-pattern') named.push(a.timeFieldName);
      if (o.type === 'search') {
        named.push(...a.columns, ...a.sort.map((s: [string, string]) => s[0]));
        named.push(...kqlFields(JSON.parse(a.kibanaSavedObjectMeta.searchSourceJSON).query.query));
      }
      if (o.type === 'lens') {
        for (const layer of Object.values(a.state.datasourceStates.formBased.layers) as Array<{
          columns: Record<string, { sourceField: string }>;
        }>) {
          for (const c of Object.values(layer.columns))
            if (c.sourceField !== '___records___') named.push(c.sourceField);
        }
        named.push(...kqlFields(a.state.query.query));
      }
      for (const f of named) expect(types[f], `${o.id}: ${f}`).toBeDefined();
      count += named.length;
    }
    expect(count).toBeGreaterThan(30);
    // The stats data view's time field too.
    const stats = loadIndexTemplates('logsift').find((x) => x.kind === 'stats')!;
    expect(
      mappingFieldTypes((stats.body as { template: { mappings: object } }).template.mappings)['@timestamp'],
    ).toBe('date');
  });

  it('lens terms on keyword fields, sums on numeric fields', () => {
    for (const l of LENSES) {
      const types = l.dataView === 'findings' ? findingFieldTypes() : summaryFieldTypes();
      for (const c of Object.values(l.columns) as Array<{ operationType: string; sourceField: string }>) {
        if (c.operationType === 'terms') expect(types[c.sourceField], c.sourceField).toBe('keyword');
        if (c.operationType === 'sum') expect(types[c.sourceField], c.sourceField).toBe('long');
        if (c.operationType === 'date_histogram') expect(types[c.sourceField], c.sourceField).toBe('date');
      }
    }
  });

  it('another prefix changes patterns, ids and titles, never field names', () => {
    const text = savedObjectsNdjson('acme');
    expect(text).not.toMatch(/logsift-/);
    expect(text).toMatch(/"title":"acme-summaries-\*"/);
    expect(text).toMatch(/logsift\.count/);
    expect(text.split('\n').length).toBe(savedObjectsNdjson('logsift').split('\n').length);
  });

  it('the KQL translator handles the forms we use', () => {
    const types = summaryFieldTypes();
    expect(kqlToQuery('logsift.kind : "summary" and logsift.count >= 100', types)).toEqual({
      bool: {
        filter: [{ term: { 'logsift.kind': 'summary' } }, { range: { 'logsift.count': { gte: '100' } } }],
      },
    });
    expect(kqlToQuery('logsift.template.text : "too many open files"', types)).toEqual({
      match_phrase: { 'logsift.template.text': 'too many open files' },
    });
    expect(
      kqlToQuery('(a.b : x or kubernetes.node.name : *) and not log.level : INFO', {
        ...types,
        'a.b': 'keyword',
      }),
    ).toEqual({
      bool: {
        filter: [
          {
            bool: {
              should: [{ term: { 'a.b': 'x' } }, { exists: { field: 'kubernetes.node.name' } }],
              minimum_should_match: 1,
            },
          },
          { bool: { must_not: [{ term: { 'log.level': 'INFO' } }] } },
        ],
      },
    });
    expect(() => kqlToQuery('nope : 1', types)).toThrow(/unknown field/);
  });
});
