/**
 * Kibana saved objects for calico-logsift, in the Kibana 8.x export format (one JSON object per line,
 * as `POST /api/saved_objects/_import` accepts): two data views, saved searches, Lens visualizations of
 * the report's main charts and a dashboard. Built here (pure) for any index prefix; the default-prefix
 * file schemas/kibana/logsift-saved-objects.ndjson is this output, pinned by test/unit/kibana.
 *
 * Version fields are those of an 8.x export (coreMigrationVersion 8.8.0; index-pattern and search at
 * 8.0.0, lens and dashboard at 8.9.0): Kibana migrates older objects forward on import, never backward.
 *
 * Saved-search queries are deliberately simple KQL (`field : value` joined by `and`/`or`, ranges), so
 * test/integration/kibana-queries.test.ts can translate and run each against the real Elasticsearch.
 */

export const CORE_MIGRATION_VERSION = '8.8.0';
export const TYPE_MIGRATION_VERSION = {
  'index-pattern': '8.0.0',
  search: '8.0.0',
  lens: '8.9.0',
  dashboard: '8.9.0',
} as const;
/** Placeholder in the "everything from one node" search: replace it in Discover. */
export const NODE_PLACEHOLDER = 'NODE-NAME';
const STAMP = '2025-01-15T00:00:00.000Z';

export type SavedObjectType = keyof typeof TYPE_MIGRATION_VERSION;

export interface SavedObject {
  attributes: Record<string, unknown>;
  coreMigrationVersion: string;
  created_at: string;
  id: string;
  managed: boolean;
  references: Array<{ id: string; name: string; type: string }>;
  type: SavedObjectType;
  typeMigrationVersion: string;
  updated_at: string;
}

/** Which data view an object reads. */
export type DataViewKey = 'summaries' | 'findings';

export interface SavedSearchSpec {
  key: string;
  /** Default summaries. */
  dataView?: DataViewKey;
  title: string;
  description: string;
  kql: string;
  columns: string[];
  sort: Array<[string, 'asc' | 'desc']>;
}

/** The saved searches (KQL kept simple; see the header comment). */
export const SEARCHES: readonly SavedSearchSpec[] = [
  {
    key: 'findings',
    dataView: 'findings',
    title: 'Findings',
    description:
      'What to look at first (docs/FINDINGS.md): new errors, errors spreading over nodes, rates that keep rising or reset on restart, known Calico problems with their fixed versions, noise worth dropping. One document per finding, updated in place by logsift run every minute; every number an exact count from the summaries.',
    kql: 'logsift.kind : "finding"',
    columns: [
      'logsift.finding.kind',
      'logsift.finding.category',
      'calico.component',
      'logsift.finding.node_count',
      'logsift.finding.lines',
      'logsift.finding.known_issue.id',
      'logsift.finding.advice',
    ],
    sort: [['event.start', 'desc']],
  },
  {
    key: 'findings-known-issues',
    dataView: 'findings',
    title: 'Findings: known Calico issues',
    description:
      'Findings that match a known Calico problem (src/findings/known-issues.json): the advice names the release that fixes it and the nodes that run an affected version.',
    kql: 'logsift.finding.kind : "known-issue" or logsift.finding.known_issue.id : *',
    columns: [
      'logsift.finding.known_issue.id',
      'logsift.finding.known_issue.fixed_in',
      'logsift.finding.nodes',
      'logsift.finding.lines',
      'logsift.finding.advice',
    ],
    sort: [['logsift.finding.lines', 'desc']],
  },
  {
    key: 'tier-exists',
    title: 'Tier-exists noise',
    description:
      'The "Tier <name> already exists" family (Calico v3.29.1 kube-controllers logs it at INFO every ~10 s per pod; v3.29.2 logs it at DEBUG). logsift.count = lines collapsed into each summary; per-tier counts in logsift.params.tier.',
    kql: 'logsift.kind : "summary" and logsift.category : "tier-exists"',
    columns: ['kubernetes.pod.name', 'log.level', 'logsift.count', 'logsift.template', 'logsift.params'],
    sort: [['@timestamp', 'desc']],
  },
  {
    key: 'netlink-errors',
    title: 'Netlink errors by errno',
    description:
      'Felix and BIRD netlink failures. The fingerprint keeps the errno, so each template is one errno at one call site; "too many open files" is the Felix v3.29.0 netlink socket leak (fixed in v3.29.2).',
    kql: 'logsift.kind : "summary" and logsift.category : "netlink-error"',
    columns: ['logsift.template', 'kubernetes.node.name', 'logsift.count', 'logsift.params'],
    sort: [['logsift.count', 'desc']],
  },
  {
    key: 'netlink-emfile',
    title: 'Netlink: too many open files (Felix socket leak)',
    description:
      'Netlink errors with errno "too many open files": the Felix v3.29.0 findHostMTU socket leak. Upgrade calico-node to v3.29.2+; restarting calico-node frees the sockets meanwhile.',
    kql: 'logsift.category : "netlink-error" and logsift.template.text : "too many open files"',
    columns: ['kubernetes.node.name', 'kubernetes.pod.name', 'logsift.count', 'logsift.template'],
    sort: [['@timestamp', 'desc']],
  },
  {
    key: 'new-fingerprints',
    title: 'New fingerprints (first seen in the last 24 h)',
    description:
      'Summaries whose first line is less than 24 h old, oldest first. `logsift report --from 24h` lists the fingerprints that have no document at all before the range.',
    kql: 'logsift.kind : "summary" and logsift.first_seen >= "now-24h"',
    columns: [
      'logsift.fingerprint',
      'calico.component',
      'logsift.category',
      'logsift.template',
      'logsift.count',
    ],
    sort: [['logsift.first_seen', 'asc']],
  },
  {
    key: 'top-noisy',
    title: 'Top noisy fingerprints',
    description: 'Summary documents by lines collapsed (logsift.count), largest first.',
    kql: 'logsift.kind : "summary" and logsift.count >= 100',
    columns: [
      'logsift.count',
      'calico.component',
      'logsift.category',
      'logsift.template',
      'kubernetes.node.name',
    ],
    sort: [['logsift.count', 'desc']],
  },
  {
    key: 'one-node',
    title: 'Everything from one node',
    description: `Every summary from one node: replace ${NODE_PLACEHOLDER} in the query with the node name.`,
    kql: `kubernetes.node.name : "${NODE_PLACEHOLDER}" or host.name : "${NODE_PLACEHOLDER}"`,
    columns: ['calico.component', 'logsift.category', 'logsift.count', 'logsift.template'],
    sort: [['@timestamp', 'desc']],
  },
  {
    key: 'dead-letters',
    title: 'Dead letters',
    description:
      'Counters of units that could not be read (reason in logsift.fingerprint, dlq:<reason>); payloads are in the <topic>.dlq Kafka topic.',
    kql: 'logsift.kind : "dlq"',
    columns: ['logsift.fingerprint', 'kafka.topic', 'kafka.partition', 'logsift.count', 'logsift.bytes'],
    sort: [['@timestamp', 'desc']],
  },
];

// ---------------------------------------------------------------------------------------------------
// Lens building blocks (formBased datasource, 8.x).

type Column = Record<string, unknown>;

const dateCol = (): Column => ({
  label: '@timestamp',
  dataType: 'date',
  operationType: 'date_histogram',
  sourceField: '@timestamp',
  isBucketed: true,
  scale: 'interval',
  params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
});
const sumCol = (label: string, field: string): Column => ({
  label,
  customLabel: true,
  dataType: 'number',
  operationType: 'sum',
  sourceField: field,
  isBucketed: false,
  scale: 'ratio',
  params: { emptyAsNull: true },
});
const countCol = (label: string): Column => ({
  label,
  customLabel: true,
  dataType: 'number',
  operationType: 'count',
  sourceField: '___records___',
  isBucketed: false,
  scale: 'ratio',
  params: { emptyAsNull: true },
});
const termsCol = (label: string, field: string, size: number, orderBy: string): Column => ({
  label,
  customLabel: true,
  dataType: 'string',
  operationType: 'terms',
  sourceField: field,
  isBucketed: true,
  scale: 'ordinal',
  params: {
    size,
    orderBy: { type: 'column', columnId: orderBy },
    orderDirection: 'desc',
    otherBucket: true,
    missingBucket: false,
  },
});

interface LensSpec {
  key: string;
  /** Default summaries. */
  dataView?: DataViewKey;
  title: string;
  description: string;
  kql: string;
  columns: Record<string, Column>;
  seriesType: 'line' | 'bar_stacked' | 'bar_horizontal' | 'area';
  x: string;
  y: string[];
  split?: string;
}

export const LENSES: readonly LensSpec[] = [
  {
    key: 'findings-by-kind',
    dataView: 'findings',
    title: 'Findings by kind',
    description: 'Findings (documents in <prefix>-findings-*) by kind over time.',
    kql: 'logsift.kind : "finding"',
    columns: {
      t: dateCol(),
      k: termsCol('Kind', 'logsift.finding.kind', 6, 'n'),
      n: countCol('Findings'),
    },
    seriesType: 'bar_stacked',
    x: 't',
    y: ['n'],
    split: 'k',
  },
  {
    key: 'volume',
    title: 'Lines in vs documents out',
    description: 'Σ logsift.count (lines read) and the number of summary documents written, over time.',
    kql: '',
    columns: { t: dateCol(), in: sumCol('Lines in', 'logsift.count'), out: countCol('Documents out') },
    seriesType: 'line',
    x: 't',
    y: ['in', 'out'],
  },
  {
    key: 'reduction-by-component',
    title: 'Reduction by component',
    description: 'Lines in vs documents out per Calico component.',
    kql: '',
    columns: {
      c: termsCol('Component', 'calico.component', 15, 'in'),
      in: sumCol('Lines in', 'logsift.count'),
      out: countCol('Documents out'),
    },
    seriesType: 'bar_horizontal',
    x: 'c',
    y: ['in', 'out'],
  },
  {
    key: 'top-fingerprints',
    title: 'Top fingerprints by volume',
    description: 'The templates with the most lines (Σ logsift.count).',
    kql: 'logsift.kind : "summary"',
    columns: { f: termsCol('Template', 'logsift.template', 15, 'in'), in: sumCol('Lines', 'logsift.count') },
    seriesType: 'bar_horizontal',
    x: 'f',
    y: ['in'],
  },
  {
    key: 'netlink-over-time',
    title: 'Netlink errors over time',
    description: 'Netlink error lines per template (one errno per template), stacked.',
    kql: 'logsift.category : "netlink-error"',
    columns: {
      t: dateCol(),
      s: termsCol('Template', 'logsift.template', 8, 'in'),
      in: sumCol('Lines', 'logsift.count'),
    },
    seriesType: 'bar_stacked',
    x: 't',
    y: ['in'],
    split: 's',
  },
  {
    key: 'tier-exists-per-pod',
    title: 'Tier-exists per pod',
    description: 'Tier-exists lines per pod over time (the v3.29.1 kube-controllers spam).',
    kql: 'logsift.category : "tier-exists"',
    columns: {
      t: dateCol(),
      p: termsCol('Pod', 'kubernetes.pod.name', 10, 'in'),
      in: sumCol('Lines', 'logsift.count'),
    },
    seriesType: 'bar_stacked',
    x: 't',
    y: ['in'],
    split: 'p',
  },
];

// ---------------------------------------------------------------------------------------------------

function object(
  type: SavedObjectType,
  id: string,
  attributes: Record<string, unknown>,
  references: SavedObject['references'] = [],
): SavedObject {
  return {
    attributes,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    created_at: STAMP,
    id,
    managed: false,
    references,
    type,
    typeMigrationVersion: TYPE_MIGRATION_VERSION[type],
    updated_at: STAMP,
  };
}

/** Saved-object ids for a prefix. */
export const ids = (prefix: string) => ({
  summaries: `${prefix}-summaries-data-view`,
  stats: `${prefix}-stats-data-view`,
  findings: `${prefix}-findings-data-view`,
  search: (key: string) => `${prefix}-search-${key}`,
  lens: (key: string) => `${prefix}-lens-${key}`,
  dashboard: `${prefix}-dashboard`,
});

export function buildSavedObjects(prefix: string): SavedObject[] {
  const id = ids(prefix);
  const dataView = (oid: string, pattern: string, name: string): SavedObject =>
    object('index-pattern', oid, {
      allowNoIndex: true,
      fieldAttrs: '{}',
      fieldFormatMap: '{}',
      fields: '[]',
      name,
      runtimeFieldMap: '{}',
      sourceFilters: '[]',
      timeFieldName: '@timestamp',
      title: pattern,
      typeMeta: '{}',
    });
  const out: SavedObject[] = [
    dataView(id.summaries, `${prefix}-summaries-*`, `${prefix} summaries`),
    dataView(id.stats, `${prefix}-stats-*`, `${prefix} stats`),
    dataView(id.findings, `${prefix}-findings-*`, `${prefix} findings`),
  ];
  for (const s of SEARCHES) {
    out.push(
      object(
        'search',
        id.search(s.key),
        {
          columns: s.columns,
          description: s.description,
          grid: {},
          hideChart: false,
          isTextBasedQuery: false,
          kibanaSavedObjectMeta: {
            searchSourceJSON: JSON.stringify({
              query: { query: s.kql, language: 'kuery' },
              filter: [],
              indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
            }),
          },
          sort: s.sort,
          timeRestore: false,
          title: `${prefix}: ${s.title}`,
        },
        [
          {
            id: id[s.dataView ?? 'summaries'],
            name: 'kibanaSavedObjectMeta.searchSourceJSON.index',
            type: 'index-pattern',
          },
        ],
      ),
    );
  }
  for (const l of LENSES) {
    const layerId = 'layer1';
    out.push(
      object(
        'lens',
        id.lens(l.key),
        {
          description: l.description,
          state: {
            adHocDataViews: {},
            datasourceStates: {
              formBased: {
                layers: {
                  [layerId]: {
                    columnOrder: Object.keys(l.columns),
                    columns: l.columns,
                    incompleteColumns: {},
                    sampling: 1,
                  },
                },
              },
            },
            filters: [],
            internalReferences: [],
            query: { language: 'kuery', query: l.kql },
            visualization: {
              legend: { isVisible: true, position: 'right' },
              valueLabels: 'hide',
              preferredSeriesType: l.seriesType,
              layers: [
                {
                  layerId,
                  layerType: 'data',
                  seriesType: l.seriesType,
                  xAccessor: l.x,
                  accessors: l.y,
                  ...(l.split ? { splitAccessor: l.split } : {}),
                },
              ],
            },
          },
          title: `${prefix}: ${l.title}`,
          visualizationType: 'lnsXY',
        },
        [
          {
            id: id[l.dataView ?? 'summaries'],
            name: `indexpattern-datasource-layer-${layerId}`,
            type: 'index-pattern',
          },
        ],
      ),
    );
  }
  // Dashboard: findings first (the saved search, full width, and the findings-by-kind chart), then the
  // Lens panels by reference, two per row; the volume chart full width.
  const findingsSearch = {
    version: '8.9.0',
    type: 'search',
    gridData: { x: 0, y: 0, w: 48, h: 15, i: 'p0' },
    panelIndex: 'p0',
    embeddableConfig: { enhancements: {} },
    title: 'Findings',
    panelRefName: 'panel_p0',
  };
  const layout: Array<{ x: number; y: number; w: number }> = [];
  let y = 15;
  let half = 0;
  for (const l of LENSES) {
    const full = l.key === 'volume' || l.key === 'findings-by-kind';
    if (full || half === 2) {
      if (half > 0) y += 15;
      half = 0;
    }
    if (full) {
      layout.push({ x: 0, y, w: 48 });
      y += 15;
      continue;
    }
    layout.push({ x: half * 24, y, w: 24 });
    half++;
  }
  const lensPanels = LENSES.map((_, i) => {
    const panelIndex = `p${i + 1}`;
    return {
      version: '8.9.0',
      type: 'lens',
      gridData: { ...layout[i]!, h: 15, i: panelIndex },
      panelIndex,
      embeddableConfig: { enhancements: {} },
      title: LENSES[i]!.title,
      panelRefName: `panel_${panelIndex}`,
    };
  });
  const panels = [findingsSearch, ...lensPanels];
  out.push(
    object(
      'dashboard',
      id.dashboard,
      {
        description:
          'calico-logsift: findings first (new, spreading, rising errors, known Calico issues, noise), then lines in vs documents out, reduction by component, top fingerprints, netlink errors, Tier-exists.',
        kibanaSavedObjectMeta: {
          searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
        },
        optionsJSON: JSON.stringify({
          useMargins: true,
          syncColors: false,
          syncCursor: true,
          syncTooltips: false,
          hidePanelTitles: false,
        }),
        panelsJSON: JSON.stringify(panels),
        refreshInterval: { pause: true, value: 60000 },
        timeFrom: 'now-7d',
        timeRestore: true,
        timeTo: 'now',
        title: `${prefix}: Calico noise reduction`,
        version: 1,
      },
      [
        { id: id.search('findings'), name: 'p0:panel_p0', type: 'search' },
        ...lensPanels.map((p, i) => ({
          id: id.lens(LENSES[i]!.key),
          name: `${p.panelIndex}:${p.panelRefName}`,
          type: 'lens',
        })),
      ],
    ),
  );
  return out;
}

/** NDJSON, one object per line, trailing newline. */
export function savedObjectsNdjson(prefix: string): string {
  return `${buildSavedObjects(prefix)
    .map((o) => JSON.stringify(o))
    .join('\n')}\n`;
}

export const DEFAULT_NDJSON_FILE = 'logsift-saved-objects.ndjson';
