/**
 * The known-issue advisor: matches a fingerprint against src/findings/known-issues.json (validated by
 * schemas/known-issues.schema.json in test/unit/findings/known-issues.test.ts) and says which nodes run
 * an affected Calico version. Match order: by `logsift.statement` (the Calico source format string and
 * level) when the documents carry one, else by the regex over `logsift.template` plus the component.
 */
import data from './known-issues.json' with { type: 'json' };
import type { FingerprintMeta, KnownIssueRef } from './types.ts';

export interface KnownIssue {
  id: string;
  title: string;
  component: string;
  affected: Array<{ from: string | null; before: string | null }>;
  affected_text: string;
  fixed_in: string | null;
  fix: string;
  links: Array<{ url: string; what: string }>;
  advice: string;
  note: string | null;
  match: {
    statements?: Array<{ format: string; level: string }>;
    template?: { regex: string; components: string[]; levels?: string[]; categories?: string[] };
  };
}

export const KNOWN_ISSUES: readonly KnownIssue[] = (data as { issues: KnownIssue[] }).issues;

interface Compiled {
  issue: KnownIssue;
  regex: RegExp | null;
}

const COMPILED: readonly Compiled[] = KNOWN_ISSUES.map((issue) => ({
  issue,
  regex: issue.match.template ? new RegExp(issue.match.template.regex) : null,
}));

/** Level words as Calico, klog and logrus print them -> the schema's words. */
export function normLevel(level: string): string {
  const l = level.toLowerCase();
  if (l === 'warn' || l === 'w') return 'warning';
  if (l === 'i') return 'info';
  if (l === 'e') return 'error';
  if (l === 'f') return 'fatal';
  return l;
}

/** The first known issue a fingerprint matches, and how. */
export function matchKnownIssue(
  meta: FingerprintMeta,
  issues: readonly Compiled[] = COMPILED,
): { issue: KnownIssue; by: 'statement' | 'template' } | null {
  const level = normLevel(meta.level);
  if (meta.statement !== null) {
    for (const c of issues) {
      const hit = c.issue.match.statements?.some(
        (s) => s.format === meta.statement!.format && s.level === level,
      );
      if (hit) return { issue: c.issue, by: 'statement' };
    }
  }
  for (const c of issues) {
    const t = c.issue.match.template;
    if (!t || !c.regex) continue;
    if (!t.components.includes(meta.component)) continue;
    if (t.levels && !t.levels.includes(level)) continue;
    if (t.categories && !t.categories.includes(meta.category)) continue;
    if (c.regex.test(meta.template)) return { issue: c.issue, by: 'template' };
  }
  return null;
}

/** `docker.io/calico/node:v3.29.1` -> `v3.29.1`; `quay.io/calico/cni:v3.29.1@sha256:...` too. */
export function versionOfImage(image: string | null): string | null {
  if (image === null) return null;
  const m = /:v?(\d+)\.(\d+)\.(\d+)(?:[-+@][^/]*)?$/.exec(image);
  return m ? `v${m[1]}.${m[2]}.${m[3]}` : null;
}

/** `v3.29.1` / `3.29.1` -> [3, 29, 1]; null when not a version. */
export function parseVersion(v: string | null): [number, number, number] | null {
  if (v === null) return null;
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function cmpVersion(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function isAffected(issue: KnownIssue, version: string): boolean {
  const v = parseVersion(version);
  if (v === null) return false;
  return issue.affected.some((r) => {
    const from = parseVersion(r.from);
    const before = parseVersion(r.before);
    return (from === null || cmpVersion(v, from) >= 0) && (before === null || cmpVersion(v, before) < 0);
  });
}

/** The report's view of an issue, with the nodes sorted into affected / not affected. */
export function issueRef(
  issue: KnownIssue,
  by: 'statement' | 'template',
  nodes: readonly string[],
  versionOf: (node: string) => string | null,
  source: 'image' | 'flag' | 'unknown',
): KnownIssueRef {
  const byNode: Record<string, string> = {};
  const affected: string[] = [];
  const unaffected: string[] = [];
  for (const n of nodes) {
    const v = versionOf(n);
    if (v === null) continue;
    byNode[n] = v;
    (isAffected(issue, v) ? affected : unaffected).push(n);
  }
  return {
    id: issue.id,
    title: issue.title,
    component: issue.component,
    affected: issue.affected_text,
    fixed_in: issue.fixed_in,
    link: issue.links[0]!.url,
    links: issue.links.map((l) => l.url),
    note: issue.note,
    matched_by: by,
    versions: {
      source: Object.keys(byNode).length > 0 ? source : 'unknown',
      affected_nodes: affected,
      unaffected_nodes: unaffected,
      by_node: byNode,
    },
  };
}
