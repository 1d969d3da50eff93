/**
 * FindingsInput from summary documents (pure): the files backend feeds each live document to a
 * builder; the Elasticsearch backend adds the same points from composite aggregation buckets. Points
 * with equal (fingerprint, node, pod, image, bucket) are summed, so several partitions or a late
 * document give one count. Bounded: past `maxPoints` distinct points the builder stops and says so.
 */
import type { FindingsInput, FindingsPoint, FingerprintMeta } from './types.ts';

// biome-ignore lint/suspicious/noExplicitAny: summary documents read by known paths with fallbacks
type AnyDoc = Record<string, any>;

const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);

export class FindingsInputBuilder {
  readonly #points = new Map<string, { p: Omit<FindingsPoint, 'count'>; count: number }>();
  readonly #meta = new Map<string, FingerprintMeta>();
  readonly #maxPoints: number;
  #truncated = false;
  #from = Number.POSITIVE_INFINITY;
  #to = Number.NEGATIVE_INFINITY;

  constructor(maxPoints = 2_000_000) {
    this.#maxPoints = maxPoints;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  /** The data's span: documents of every kind widen it (a quiet fingerprint still sees the whole range). */
  span(t: number, len: number): void {
    if (t < this.#from) this.#from = t;
    if (t + len > this.#to) this.#to = t + len;
  }

  add(p: Omit<FindingsPoint, 'count'>, count: number, meta: FingerprintMeta): void {
    this.span(p.t, p.len);
    if (!this.#meta.has(p.fingerprint)) this.#meta.set(p.fingerprint, meta);
    const key = `${p.fingerprint}\u0000${p.node ?? ''}\u0000${p.pod ?? ''}\u0000${p.image ?? ''}\u0000${p.t}\u0000${p.len}`;
    const cur = this.#points.get(key);
    if (cur) {
      cur.count += count;
      return;
    }
    if (this.#points.size >= this.#maxPoints) {
      this.#truncated = true;
      return;
    }
    this.#points.set(key, { p, count });
  }

  /** A summary document (kind summary; dead-letter counters and stats only widen the span). */
  addDoc(doc: AnyDoc): void {
    const ls = doc.logsift;
    const t = Date.parse(doc['@timestamp']);
    const len = (typeof ls?.bucket?.length_s === 'number' ? ls.bucket.length_s : 0) * 1000;
    if (!Number.isFinite(t)) return;
    if (ls?.kind !== 'summary') {
      this.span(t, len);
      return;
    }
    const st = ls.statement;
    this.add(
      {
        t,
        len,
        fingerprint: String(ls.fingerprint),
        node: str(doc.kubernetes?.node?.name) ?? str(doc.host?.name),
        pod: str(doc.kubernetes?.pod?.name),
        image: str(doc.container?.image?.name),
      },
      typeof ls.count === 'number' ? ls.count : 0,
      {
        category: String(ls.category ?? ''),
        template: String(ls.template ?? ''),
        component: String(doc.calico?.component ?? ''),
        level: String(doc.log?.level ?? ''),
        statement:
          st && typeof st === 'object' && typeof st.format === 'string'
            ? { id: String(st.id ?? ''), format: st.format }
            : null,
      },
    );
  }

  build(): FindingsInput {
    const points: FindingsPoint[] = [];
    for (const { p, count } of this.#points.values()) points.push({ ...p, count });
    const empty = this.#from > this.#to;
    return {
      points,
      meta: this.#meta,
      from: empty ? 0 : this.#from,
      to: empty ? 0 : this.#to,
      ...(this.#truncated ? { truncated: true } : {}),
    };
  }
}
