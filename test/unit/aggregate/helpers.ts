import type {
  CounterStore,
  DocRef,
  ForeignVersionEnd,
  VersionedDoc,
  WriteItem,
  WriteResult,
} from '../../../src/aggregate/store.ts';
import type { Category, ClassifiedRecord } from '../../../src/domain/classification.ts';
import type { CounterDoc, SummaryDoc } from '../../../src/domain/documents.ts';
import type { Level, LogRecord } from '../../../src/domain/record.ts';

export interface RecordSpec {
  offset: number;
  ts: number;
  fingerprint?: string;
  category?: Category;
  component?: string;
  level?: Level;
  units?: number;
  pod?: string;
  node?: string;
  parsedTime?: number | null;
  params?: Record<string, string>;
  topic?: string;
  partition?: number;
  container?: string;
  image?: string;
  /** Classification.statement (the id of a statement of the library). */
  statement?: string;
}

export function rec(s: RecordSpec): ClassifiedRecord {
  const record: LogRecord = {
    position: { topic: s.topic ?? 't', partition: s.partition ?? 0, offset: s.offset, timestampMs: s.ts },
    units: s.units ?? 1,
    lineNumber: s.offset + 1,
    lines: 1,
    bytes: 100,
    wrapper: 'raw',
    format: 'calico',
    parsedTimeMs: s.parsedTime === undefined ? s.ts : s.parsedTime,
    envelopeTimeMs: null,
    level: s.level ?? 'INFO',
    component: s.component ?? 'felix',
    pid: 1,
    originFile: 'x.go',
    originLine: 1,
    message: `m ${s.fingerprint ?? 'f'}`,
    fields: [],
    text: `line ${s.offset}`,
    stream: null,
    kubernetes: {
      ...(s.pod ? { pod: s.pod } : {}),
      ...(s.node ? { node: s.node } : {}),
      ...(s.container ? { container: s.container } : {}),
      ...(s.image ? { image: s.image } : {}),
    },
    flags: [],
  };
  return {
    record,
    classification: {
      fingerprint: s.fingerprint ?? 'f000000000000000',
      category: s.category ?? 'routine-noise',
      template: `tpl ${s.fingerprint ?? 'f'}`,
      params: s.params ?? {},
      ...(s.statement !== undefined ? { statement: s.statement } : {}),
    },
  };
}

/**
 * A compare-and-set store with Elasticsearch's semantics (seq_no per write, 409 on a stale
 * if_seq_no or on `create` of an existing id). For unit tests of the pure epoch logic only; the real
 * Elasticsearch is exercised by test/integration.
 */
export class CasStore implements CounterStore {
  readonly docs = new Map<string, VersionedDoc>();
  #seq = 0;
  /** Called per item before applying: return false to fail the item with `retry` (simulated 503). */
  failItem: (item: WriteItem, i: number) => boolean = () => false;

  async load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>> {
    const out = new Map<string, VersionedDoc | null>();
    for (const r of refs) out.set(r.id, this.docs.get(r.id) ?? null);
    return out;
  }

  async write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    return items.map((item, i) => {
      if (this.failItem(item, i))
        return { ok: false, id: item.id, status: 503, kind: 'retry', reason: 'injected' };
      const cur = this.docs.get(item.id);
      if (item.op === 'create' ? cur !== undefined : cur === undefined || cur.seqNo !== item.ifSeqNo) {
        return { ok: false, id: item.id, status: 409, kind: 'conflict', reason: 'version_conflict' };
      }
      this.#seq += 1;
      const v: VersionedDoc = {
        index: item.index,
        id: item.id,
        doc: structuredClone(item.doc) as CounterDoc,
        seqNo: this.#seq,
        primaryTerm: 1,
      };
      this.docs.set(item.id, v);
      return { ok: true, id: item.id, seqNo: v.seqNo, primaryTerm: 1 };
    });
  }

  async foreignVersionEnd(
    topic: string,
    partition: number,
    version: string,
  ): Promise<ForeignVersionEnd | null> {
    let best: ForeignVersionEnd | null = null;
    for (const d of this.summaries()) {
      if (d.kafka.topic !== topic || d.kafka.partition !== partition) continue;
      if (d.logsift.kind === 'dlq' || d.logsift.ruleset_version === version) continue;
      if (best === null || d.logsift.offset_end > best.offsetEnd) {
        best = { version: d.logsift.ruleset_version, offsetEnd: d.logsift.offset_end };
      }
    }
    return best;
  }

  /**
   * What another release would have left: every summary moved to a new id (summary keys contain the
   * ruleset version) and labelled with `version`.
   */
  relabel(version: string): void {
    for (const [id, v] of [...this.docs]) {
      if (v.doc.logsift.kind !== 'summary') continue;
      this.docs.delete(id);
      const doc = structuredClone(v.doc) as SummaryDoc;
      doc.logsift.ruleset_version = version;
      this.docs.set(`${version}:${id}`, { ...v, id: `${version}:${id}`, doc });
    }
  }

  summaries(): SummaryDoc[] {
    return [...this.docs.values()]
      .map((v) => v.doc)
      .filter((d): d is SummaryDoc => d.logsift.kind !== 'stats');
  }

  total(): number {
    return this.summaries().reduce((a, d) => a + d.logsift.count, 0);
  }
}
