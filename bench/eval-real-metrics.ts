/**
 * Metrics of bench/eval-real.ts, kept free of I/O so that test/unit/eval/real-lines.test.ts can
 * check them on hand-made examples.
 */

/**
 * Grouping accuracy as in the Loghub benchmarks (Zhu et al., "Tools and Benchmarks for Automated
 * Log Parsing", ICSE-SEIP 2019): a line is right iff the set of lines sharing its predicted group
 * equals the set of lines sharing its true group. Returns the share of right lines and, per line,
 * whether it is right. An empty input has accuracy 1.
 */
export function groupingAccuracy(
  truth: readonly string[],
  predicted: readonly string[],
): { accuracy: number; correct: boolean[] } {
  if (truth.length !== predicted.length) throw new Error('groupingAccuracy: length mismatch');
  const byTruth = indexBy(truth);
  const byPred = indexBy(predicted);
  const correct = new Array<boolean>(truth.length).fill(false);
  for (const members of byPred.values()) {
    const t = truth[members[0]!]!;
    const tm = byTruth.get(t)!;
    if (tm.length === members.length && members.every((i) => truth[i] === t)) {
      for (const i of members) correct[i] = true;
    }
  }
  const n = correct.filter(Boolean).length;
  return { accuracy: truth.length === 0 ? 1 : n / truth.length, correct };
}

export function indexBy(keys: readonly string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const a = m.get(k);
    if (a) a.push(i);
    else m.set(k, [i]);
  });
  return m;
}

export interface PrecisionRecall {
  /** Lines labelled positive that were predicted positive. */
  readonly truePositives: number;
  /** Lines predicted positive. */
  readonly predicted: number;
  /** Lines labelled positive. */
  readonly actual: number;
  /** tp / predicted; null when nothing was predicted positive. */
  readonly precision: number | null;
  /** tp / actual; null when nothing is labelled positive. */
  readonly recall: number | null;
}

export function precisionRecall(actual: readonly boolean[], predicted: readonly boolean[]): PrecisionRecall {
  if (actual.length !== predicted.length) throw new Error('precisionRecall: length mismatch');
  let tp = 0;
  let p = 0;
  let a = 0;
  for (let i = 0; i < actual.length; i++) {
    if (predicted[i]) p++;
    if (actual[i]) a++;
    if (actual[i] && predicted[i]) tp++;
  }
  return {
    truePositives: tp,
    predicted: p,
    actual: a,
    precision: p === 0 ? null : tp / p,
    recall: a === 0 ? null : tp / a,
  };
}

export interface SplitGroup {
  readonly group: string;
  readonly lines: number;
  /** Predicted groups the true group's lines landed in, with their line indexes. */
  readonly parts: ReadonlyArray<{ readonly predicted: string; readonly members: readonly number[] }>;
}

export interface MergedGroup {
  readonly predicted: string;
  /** True groups sharing this predicted group, with their line indexes. */
  readonly parts: ReadonlyArray<{ readonly group: string; readonly members: readonly number[] }>;
}

/** The two ways grouping fails: a true group spread over several predicted ones, and a predicted group holding several true ones. */
export function groupingFailures(
  truth: readonly string[],
  predicted: readonly string[],
): { split: SplitGroup[]; merged: MergedGroup[] } {
  const split: SplitGroup[] = [];
  for (const [group, members] of indexBy(truth)) {
    const parts = [...indexBy(members.map((i) => predicted[i]!)).entries()].map(([p, idx]) => ({
      predicted: p,
      members: idx.map((j) => members[j]!),
    }));
    if (parts.length > 1) split.push({ group, lines: members.length, parts });
  }
  const merged: MergedGroup[] = [];
  for (const [p, members] of indexBy(predicted)) {
    const parts = [...indexBy(members.map((i) => truth[i]!)).entries()].map(([g, idx]) => ({
      group: g,
      members: idx.map((j) => members[j]!),
    }));
    if (parts.length > 1) merged.push({ predicted: p, parts });
  }
  split.sort((a, b) => b.lines - a.lines || a.group.localeCompare(b.group));
  merged.sort((a, b) => b.parts.length - a.parts.length || a.predicted.localeCompare(b.predicted));
  return { split, merged };
}

/** `0.873`, or `-` for an undefined ratio. */
export function fmt(x: number | null, digits = 3): string {
  return x === null ? '-' : x.toFixed(digits);
}
