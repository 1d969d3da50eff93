/**
 * Lineages of reworded statements: Calico edits the wording of a log call now and then (a typo
 * fixed, "blacklist" -> "blocklist", ", requiring a full sync." appended), which makes a new format
 * string and so a new statement, although users see the same message of the same call. Two
 * statements are one lineage when they have the same kind, level and own keys, a call site in a
 * file of the same name, release spans that do not overlap (one wording replaced the other), and
 * formats that share a prefix of at least LINEAGE_MIN_PREFIX characters and LINEAGE_MIN_SHARE of the
 * longer one. Lineages are closed transitively; each is represented by its newest wording (the
 * statement whose sites reach the latest release; ties: the smallest id), whose level, kind,
 * format and keys the fingerprint hashes. Pure: a function of the library alone.
 */
import type { Library, Statement } from './types.ts';

export const LINEAGE_MIN_PREFIX = 20;
export const LINEAGE_MIN_SHARE = 0.6;

function baseName(p: string): string {
  const s = p.lastIndexOf('/');
  return s >= 0 ? p.slice(s + 1) : p;
}

function span(st: Statement): readonly [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const site of st.sites) {
    for (const [from, to] of site.releases) {
      if (from < lo) lo = from;
      if (to > hi) hi = to;
    }
  }
  return [lo, hi];
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** True when the two statements are rewordings of one call (see the file comment). */
export function reworded(a: Statement, b: Statement): boolean {
  return rewordedIn(a, b, span(a), span(b));
}

function rewordedIn(
  a: Statement,
  b: Statement,
  [al, ah]: readonly [number, number],
  [bl, bh]: readonly [number, number],
): boolean {
  if (!(ah < bl || bh < al)) return false;
  const p = commonPrefix(a.format, b.format);
  return p >= LINEAGE_MIN_PREFIX && p >= LINEAGE_MIN_SHARE * Math.max(a.format.length, b.format.length);
}

/** For each statement index, the index of its lineage's representative (itself when alone). */
export function lineages(library: Library): Int32Array {
  const sts = library.statements;
  // Each statement's release span, once (a bucket compares its statements pairwise).
  const spans = sts.map(span);
  const parent = new Int32Array(sts.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  };
  // Candidates share kind, level, own keys and a file name: bucket by those.
  const buckets = new Map<string, number[]>();
  sts.forEach((st, i) => {
    if (st.sites.length === 0) return;
    const head = `${st.kind}\0${st.level}\0${[...st.keys].sort().join('\x01')}\0`;
    for (const f of new Set(st.sites.map((s) => baseName(s.file)))) {
      const k = head + f;
      const b = buckets.get(k);
      if (b === undefined) buckets.set(k, [i]);
      else b.push(i);
    }
  });
  for (const b of buckets.values()) {
    for (let x = 0; x < b.length; x++) {
      for (let y = x + 1; y < b.length; y++) {
        const i = b[x]!;
        const j = b[y]!;
        if (find(i) !== find(j) && rewordedIn(sts[i]!, sts[j]!, spans[i]!, spans[j]!))
          parent[find(i)] = find(j);
      }
    }
  }
  // Representative of each set: the newest wording, then the smallest id.
  const best = new Map<number, number>();
  for (let i = 0; i < sts.length; i++) {
    const r = find(i);
    const cur = best.get(r);
    if (cur === undefined) {
      best.set(r, i);
      continue;
    }
    const hi = spans[i]![1];
    const curHi = spans[cur]![1];
    if (hi > curHi || (hi === curHi && sts[i]!.id < sts[cur]!.id)) best.set(r, i);
  }
  const out = new Int32Array(sts.length);
  for (let i = 0; i < sts.length; i++) out[i] = best.get(find(i))!;
  return out;
}
