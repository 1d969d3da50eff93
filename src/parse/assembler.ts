/**
 * PartitionAssembler: units of ONE source partition -> LogRecords (+ dead letters).
 *
 * The only stateful part of parse, and still deterministic: its state is a pure function of the
 * sequence of units pushed (no clock, no timers, no randomness). That is what makes a replay from
 * a committed offset reproduce the same records (docs/EXACTNESS.md F1, F11).
 *
 * Two layers of grouping, per key = (namespace, pod, container, stream) so that interleaved pods
 * in one Kafka partition never mix:
 *  1. CRI `P` partial lines (and docker 16 KiB splits) are concatenated until the `F` line:
 *     a "piece" = one logical line spanning one or more units.
 *  2. Logical lines that continue a record (the Felix health table after its header line, Go
 *     panic / stack trace lines after `panic:` or a PANIC-level line) are appended to it.
 * A record stays open only while its last line can be continued. It closes by content (a
 * non-continuation line for the same key, the table's last border), by a gap in the units' own
 * timestamps (any unit pushed more than groupGapMs after the group's last unit), or by caps counted
 * in units / bytes / lines — never by a timer.
 *
 * Records are emitted in strictly increasing order of their first offset: completed records are
 * held back while an older group is open (the hold-back buffer is capped; when the cap bites the
 * oldest open group is closed). `safeCommitOffset` gives the commit point that keeps replays exact.
 */
import type {
  DeadLetter,
  DeadLetterReason,
  KubernetesMeta,
  Level,
  LogRecord,
  RecordFlag,
  SourcePosition,
  SourceUnit,
  Wrapper,
} from '../domain/record.ts';
import { decodeUnit } from './decode.ts';
import { type LineHints, type Stream, unwrap } from './envelopes/index.ts';
import {
  applyHints,
  isGoroutineHeader,
  isPanicContinuation,
  logrusInner,
  type ParsedLine,
  parseLineOnce,
} from './formats/index.ts';
import { unparsedLine } from './formats/unparsed.ts';
import { type ParseOptions, resolveParseOptions } from './options.ts';
import { type ZoneConverter, zoneConverter } from './timestamp.ts';

// ---------------------------------------------------------------------------------------------
// Flags as bits (cheap to merge), converted to the RecordFlag list in a fixed order.

const FLAG_ORDER: readonly RecordFlag[] = [
  'invalid-utf8',
  'truncated',
  'binary',
  'broken-envelope',
  'cri-partial-unterminated',
  'group-capped',
  'time-from-kafka',
  'time-implausible',
  'time-from-envelope',
];
const BIT: Readonly<Record<RecordFlag, number>> = Object.freeze(
  Object.fromEntries(FLAG_ORDER.map((f, i) => [f, 1 << i])) as Record<RecordFlag, number>,
);
const NO_FLAGS: readonly RecordFlag[] = Object.freeze([]);

function flagList(bits: number): readonly RecordFlag[] {
  if (bits === 0) return NO_FLAGS;
  const out: RecordFlag[] = [];
  for (let i = 0; i < FLAG_ORDER.length; i++) if (bits & (1 << i)) out.push(FLAG_ORDER[i]!);
  return out;
}

function flagBits(flags: readonly RecordFlag[]): number {
  let b = 0;
  for (const f of flags) b |= BIT[f];
  return b;
}

// ---------------------------------------------------------------------------------------------
// State

/** Metadata of the first unit of a piece / record. Immutable once created. */
interface Head {
  readonly position: SourcePosition;
  readonly wrapper: Wrapper;
  readonly envelopeTimeMs: number | null;
  readonly stream: Stream | null;
  readonly kubernetes: KubernetesMeta;
  /** A syslog header's facts for the line (else null). */
  readonly hints: LineHints | null;
}

/** One logical line, possibly spanning several units (CRI partials). */
interface Piece {
  head: Head;
  firstPush: number;
  lastOffset: number;
  lastTs: number;
  units: number;
  bytes: number;
  text: string;
  flags: number;
  /** Binary / broken-envelope units: never parsed, never grouped. */
  standalone: boolean;
}

type GroupKind = 'table' | 'panic';

/** A multi-line record being assembled. */
interface Group {
  head: Head;
  firstPush: number;
  lastOffset: number;
  lastTs: number;
  units: number;
  bytes: number;
  lines: string[];
  flags: number;
  parsed: ParsedLine;
  kind: GroupKind;
  tableBorders: number;
  afterGoroutine: boolean;
}

interface KeyState {
  readonly key: string;
  group: Group | null;
  part: Piece | null;
}

export interface AssemblerCounters {
  unitsPushed: number;
  recordsEmitted: number;
  deadLetters: number;
  /** Multi-line groups closed by maxGroupLines / maxGroupBytes. */
  groupsCapped: number;
  /** CRI partial lines closed without their `F` line (cap, gap or flush). */
  partialsUnterminated: number;
  /** Groups closed because a gap in unit timestamps exceeded groupGapMs. */
  groupsClosedByGap: number;
  /** Groups closed because maxOpenUnits units were pushed while they stayed open. */
  openUnitsCapped: number;
  /** Groups closed because more than maxOpenKeys keys were open. */
  openKeysEvicted: number;
  /** Groups closed because the hold-back buffer exceeded maxHeldBack records. */
  heldBackCapped: number;
  /** Record spans forgotten because maxSpanHistory was reached (safeCommitOffset may be less exact). */
  spanHistoryCapped: number;
  /** Units whose offset was not greater than the previous unit's (input out of order). */
  offsetRegressions: number;
}

function zeroCounters(): AssemblerCounters {
  return {
    unitsPushed: 0,
    recordsEmitted: 0,
    deadLetters: 0,
    groupsCapped: 0,
    partialsUnterminated: 0,
    groupsClosedByGap: 0,
    openUnitsCapped: 0,
    openKeysEvicted: 0,
    heldBackCapped: 0,
    spanHistoryCapped: 0,
    offsetRegressions: 0,
  };
}

/** Opaque copy of the whole assembler state (see snapshot / restore). */
export interface AssemblerSnapshot {
  readonly __assemblerSnapshot: true;
}

interface State {
  keys: Map<string, KeyState>;
  held: LogRecord[];
  outRecords: LogRecord[];
  outDead: DeadLetter[];
  /** [first, last] offsets of emitted records spanning more than one offset, in emission order. */
  spans: Array<readonly [number, number]>;
  counters: AssemblerCounters;
  pushed: number;
  openCount: number;
  lastOffset: number;
  lastEmittedFirst: number;
  lastSafe: number;
}

const RAW_KEY = '';
const NO_META: KubernetesMeta = Object.freeze({});

function keyOf(k: KubernetesMeta, stream: Stream | null): string {
  if (k.namespace === undefined && k.pod === undefined && k.container === undefined) {
    return stream === null ? RAW_KEY : stream;
  }
  return `${k.namespace ?? ''}\u0000${k.pod ?? ''}\u0000${k.container ?? ''}\u0000${stream ?? ''}`;
}

function pieceKey(piece: Piece): string {
  return piece.standalone ? RAW_KEY : keyOf(piece.head.kubernetes, piece.head.stream);
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

function isTableLine(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 124 || (c === 43 && s.charCodeAt(1) === 45);
}

/** Felix health.go: `Overall health status changed: live=%v ready=%v\n%v` (table follows). */
const HEALTH_HEADER = 'Overall health status changed';

function startKind(p: ParsedLine, line: string): GroupKind | null {
  if (p.format === 'calico') {
    if (p.message.startsWith(HEALTH_HEADER)) return 'table';
    // logrus Panic logs the line then panics: the Go trace that follows belongs to it.
    if (p.level === 'PANIC') return 'panic';
    return null;
  }
  if (p.format === 'gopanic') return 'panic';
  // klog Fatal dumps goroutine stacks; logrus-text and zap Panic panic.
  if (
    (p.format === 'klog' && p.level === 'FATAL') ||
    ((p.format === 'logrus' || p.format === 'zap') && p.level === 'PANIC')
  ) {
    return 'panic';
  }
  void line;
  return null;
}

// ---------------------------------------------------------------------------------------------

export class PartitionAssembler {
  readonly #opts: ParseOptions;
  readonly #zone: ZoneConverter;
  #s: State;
  /** Cached minima over open pieces / groups; `#dirty` forces a rescan. */
  #minFirstOffset = Number.POSITIVE_INFINITY;
  #minLastTs = Number.POSITIVE_INFINITY;
  #minFirstPush = Number.POSITIVE_INFINITY;
  #dirty = false;
  /** First offset of the piece being processed (not open, not complete), else +Infinity. */
  #inflight = Number.POSITIVE_INFINITY;

  constructor(options?: Partial<ParseOptions>) {
    this.#opts = resolveParseOptions(options);
    this.#zone = zoneConverter(this.#opts.defaultZone);
    this.#s = {
      keys: new Map(),
      held: [],
      outRecords: [],
      outDead: [],
      spans: [],
      counters: zeroCounters(),
      pushed: 0,
      openCount: 0,
      lastOffset: Number.NEGATIVE_INFINITY,
      lastEmittedFirst: Number.NEGATIVE_INFINITY,
      lastSafe: Number.NEGATIVE_INFINITY,
    };
  }

  get options(): ParseOptions {
    return this.#opts;
  }

  /** Live counters (read-only view; copy them if you need a stable value). */
  get counters(): Readonly<AssemblerCounters> {
    return this.#s.counters;
  }

  /** Number of open pieces + groups (0 when every pushed unit is in a completed record). */
  get openGroups(): number {
    return this.#s.openCount;
  }

  // -------------------------------------------------------------------------------------------
  // Public API

  /** Adds one unit. Never throws on any input. */
  push(unit: SourceUnit): void {
    const s = this.#s;
    const o = this.#opts;
    s.pushed++;
    s.counters.unitsPushed++;
    const pos = unit.position;
    if (pos.offset <= s.lastOffset) s.counters.offsetRegressions++;
    s.lastOffset = pos.offset;
    const ts = pos.timestampMs;
    if (s.openCount > 0) this.#closeStale(ts);

    const d = decodeUnit(unit.value, { maxUnitBytes: o.maxUnitBytes });
    if (d.oversize && o.deadLetter.oversize === 'dead-letter') {
      this.#dead(unit, 'oversize', d.bytes);
      return;
    }
    const srcMeta = unit.meta;
    let flags = d.flags.length === 0 ? 0 : flagBits(d.flags);
    let piece: Piece;
    let partial = false;
    if (d.binary) {
      if (o.deadLetter.binary === 'dead-letter') {
        this.#dead(unit, 'binary', d.bytes);
        return;
      }
      piece = this.#piece(unit, rawHead(pos, srcMeta), d.bytes, d.text, flags, true);
    } else if (isBlank(d.text)) {
      // A blank line inside a Go trace belongs to it (the raw key, or the source's meta key).
      const rawGroup = s.keys.get(srcMeta === undefined ? RAW_KEY : keyOf(srcMeta, null))?.group;
      if (rawGroup?.kind === 'panic') {
        piece = this.#piece(unit, rawHead(pos, srcMeta), d.bytes, '', flags, false);
      } else if (o.deadLetter.empty === 'dead-letter') {
        this.#dead(unit, 'empty', d.bytes);
        return;
      } else piece = this.#piece(unit, rawHead(pos, srcMeta), d.bytes, d.text, flags, false);
    } else {
      const u = unwrap(d.text);
      if (!u.ok) {
        if (o.deadLetter.brokenEnvelope === 'dead-letter') {
          this.#dead(unit, 'broken-envelope', d.bytes);
          return;
        }
        flags |= BIT['broken-envelope'];
        piece = this.#piece(unit, rawHead(pos, srcMeta), d.bytes, d.text, flags, true);
      } else {
        const head: Head = {
          position: pos,
          wrapper: u.wrapper,
          envelopeTimeMs: u.envelopeTimeMs,
          stream: u.stream,
          kubernetes: srcMeta === undefined ? u.kubernetes : mergeMeta(u.kubernetes, srcMeta),
          hints: u.hints ?? null,
        };
        piece = this.#piece(unit, head, d.bytes, u.text, flags, false);
        partial = u.partial;
      }
    }
    if (!partial && s.keys.size === 0) {
      // Nothing is open for any key: no key string needed unless this line starts a group.
      this.#processPiece(null, piece);
      this.#enforceCaps();
      return;
    }
    const key = pieceKey(piece);
    let ks = s.keys.get(key);
    if (partial) {
      if (!ks) ks = this.#newKey(key);
      if (ks.part) appendPiece(ks.part, piece);
      else {
        ks.part = piece;
        this.#opened(piece);
      }
      const p = ks.part;
      if (p.bytes > o.maxGroupBytes || p.units >= o.maxGroupLines) this.#finishPart(ks, true);
    } else if (ks?.part) {
      const p = ks.part;
      appendPiece(p, piece);
      ks.part = null;
      this.#closed(p);
      this.#processPiece(key, p);
    } else {
      this.#processPiece(key, piece);
    }
    this.#dropIfIdle(key);
    this.#enforceCaps();
  }

  /** Records and dead letters completed since the last drain (records in increasing first offset). */
  drain(): { records: LogRecord[]; deadLetters: DeadLetter[] } {
    const s = this.#s;
    const out = { records: s.outRecords, deadLetters: s.outDead };
    s.outRecords = [];
    s.outDead = [];
    return out;
  }

  /** Closes every open piece and group (end of a file, or shutdown of a finite input). */
  flush(): void {
    const s = this.#s;
    for (const key of [...s.keys.keys()]) {
      const ks = s.keys.get(key);
      if (!ks) continue;
      if (ks.part) this.#finishPart(ks, true);
      if (ks.group) this.#closeGroup(ks, 0);
      this.#dropIfIdle(key);
    }
    this.#release();
  }

  /**
   * The largest c <= end such that every record (and dead letter) whose first offset is < c has
   * been returned by drain(), and no emitted or open record has units both < c and >= c. Replaying
   * from c with a fresh assembler reproduces exactly the records whose first offset is >= c.
   * Calls must use a non-decreasing `end` between restores (spans below the last answer are pruned).
   */
  safeCommitOffset(end: number): number {
    const s = this.#s;
    let c = end;
    if (s.openCount > 0) {
      this.#rescanIfDirty();
      if (this.#minFirstOffset < c) c = this.#minFirstOffset;
    }
    if (s.held.length > 0) c = Math.min(c, s.held[0]!.position.offset);
    for (const r of s.outRecords) c = Math.min(c, r.position.offset);
    for (const d of s.outDead) c = Math.min(c, d.position.offset);
    const spans = s.spans;
    for (let i = spans.length - 1; i >= 0; i--) {
      const sp = spans[i]!;
      if (sp[0] < c && sp[1] >= c) c = sp[0];
    }
    if (c > s.lastSafe) {
      s.lastSafe = c;
      if (spans.length > 0) s.spans = spans.filter((sp) => sp[1] >= c);
    }
    return c;
  }

  /** A deep copy of the whole state (to undo an aborted epoch with restore()). */
  snapshot(): AssemblerSnapshot {
    return { __assemblerSnapshot: true, state: cloneState(this.#s) } as unknown as AssemblerSnapshot;
  }

  /** Restores a snapshot taken from this assembler (the snapshot stays reusable). */
  restore(snapshot: AssemblerSnapshot): void {
    const st = (snapshot as unknown as { state: State }).state;
    this.#s = cloneState(st);
    this.#dirty = true;
  }

  // -------------------------------------------------------------------------------------------
  // Units and pieces

  #piece(
    unit: SourceUnit,
    head: Head,
    bytes: number,
    text: string,
    flags: number,
    standalone: boolean,
  ): Piece {
    return {
      head,
      firstPush: this.#s.pushed,
      lastOffset: unit.position.offset,
      lastTs: unit.position.timestampMs,
      units: 1,
      bytes,
      text,
      flags,
      standalone,
    };
  }

  #dead(unit: SourceUnit, reason: DeadLetterReason, bytes: number): void {
    const s = this.#s;
    s.outDead.push({ position: unit.position, reason, bytes, value: unit.value });
    s.counters.deadLetters++;
    this.#enforceCaps();
  }

  #newKey(key: string): KeyState {
    const ks: KeyState = { key, group: null, part: null };
    this.#s.keys.set(key, ks);
    return ks;
  }

  #dropIfIdle(key: string): void {
    const ks = this.#s.keys.get(key);
    if (ks && ks.group === null && ks.part === null) this.#s.keys.delete(key);
  }

  /** Closes the pending partial line of `ks` (unterminated) and processes it as a logical line. */
  #finishPart(ks: KeyState, unterminated: boolean): void {
    const p = ks.part;
    if (!p) return;
    ks.part = null;
    this.#closed(p);
    if (unterminated) {
      p.flags |= BIT['cri-partial-unterminated'];
      this.#s.counters.partialsUnterminated++;
    }
    this.#processPiece(ks.key, p);
  }

  /**
   * A complete logical line for `key`. While it is processed it is no longer in the open set but
   * its record is not complete yet: `#inflight` keeps records with a larger first offset held back
   * (a CRI partial started before records that completed meanwhile).
   */
  #processPiece(key: string | null, piece: Piece): void {
    const prev = this.#inflight;
    const off = piece.head.position.offset;
    if (off < prev) this.#inflight = off;
    this.#processPieceInner(key, piece);
    this.#inflight = prev;
    if (prev === Number.POSITIVE_INFINITY) this.#release();
  }

  /** Continue the open group of `key`, or close it and start a record. Null key: no key is open. */
  #processPieceInner(key: string | null, piece: Piece): void {
    const s = this.#s;
    const o = this.#opts;
    let text = piece.text;
    const lines = text.indexOf('\n') < 0 ? null : text.split('\n');
    let firstLine = lines ? lines[0]! : text;
    let ks = key === null ? undefined : s.keys.get(key);
    const g = ks?.group;
    if (ks && g) {
      if (!piece.standalone && continues(g, firstLine)) {
        g.lastOffset = piece.lastOffset;
        if (piece.lastTs > g.lastTs || !Number.isFinite(g.lastTs)) g.lastTs = piece.lastTs;
        g.units += piece.units;
        g.bytes += piece.bytes;
        g.flags |= piece.flags;
        if (lines) for (const l of lines) feed(g, l);
        else feed(g, text);
        if (g.kind === 'table' && g.tableBorders >= 3) this.#closeGroup(ks, 0);
        else if (g.lines.length >= o.maxGroupLines || g.bytes >= o.maxGroupBytes) {
          s.counters.groupsCapped++;
          this.#closeGroup(ks, BIT['group-capped']);
        }
        return;
      }
      this.#closeGroup(ks, 0);
    }
    if (piece.standalone) {
      this.#complete(
        this.#build(
          piece.head,
          piece.units,
          piece.bytes,
          text,
          lines ? lines.length : 1,
          piece.flags,
          unparsedLine(firstLine),
        ),
        piece.lastOffset,
      );
      return;
    }
    let parsed = parseLineOnce(firstLine);
    if (parsed.format === 'logrus') {
      // A Calico line re-logged by a logrus wrapper: the record is the inner line.
      const inner = logrusInner(parsed);
      if (inner !== null) {
        firstLine = parsed.message;
        parsed = inner;
        if (lines) lines[0] = firstLine;
        text = lines ? lines.join('\n') : firstLine;
      }
    }
    const hints = piece.head.hints;
    if (hints !== null) parsed = applyHints(parsed, firstLine, hints);
    const kind = startKind(parsed, firstLine);
    if (kind === null) {
      this.#complete(
        this.#build(
          piece.head,
          piece.units,
          piece.bytes,
          text,
          lines ? lines.length : 1,
          piece.flags,
          parsed,
        ),
        piece.lastOffset,
      );
      return;
    }
    const ng: Group = {
      head: piece.head,
      firstPush: piece.firstPush,
      lastOffset: piece.lastOffset,
      lastTs: piece.lastTs,
      units: piece.units,
      bytes: piece.bytes,
      lines: [firstLine],
      flags: piece.flags,
      parsed,
      kind,
      tableBorders: 0,
      afterGoroutine: kind === 'panic' && isGoroutineHeader(firstLine),
    };
    if (lines) for (let i = 1; i < lines.length; i++) feed(ng, lines[i]!);
    if (kind === 'table' && ng.tableBorders >= 3) {
      this.#emitGroup(ng, 0);
      return;
    }
    if (ng.lines.length >= o.maxGroupLines || ng.bytes >= o.maxGroupBytes) {
      s.counters.groupsCapped++;
      this.#emitGroup(ng, BIT['group-capped']);
      return;
    }
    if (!ks) ks = this.#newKey(key ?? pieceKey(piece));
    ks.group = ng;
    this.#opened(ng);
  }

  #closeGroup(ks: KeyState, extraFlags: number): void {
    const g = ks.group;
    if (!g) return;
    ks.group = null;
    this.#closed(g);
    this.#emitGroup(g, extraFlags);
  }

  #emitGroup(g: Group, extraFlags: number): void {
    const text = g.lines.length === 1 ? g.lines[0]! : g.lines.join('\n');
    this.#complete(
      this.#build(g.head, g.units, g.bytes, text, g.lines.length, g.flags | extraFlags, g.parsed),
      g.lastOffset,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Open-set bookkeeping (cached minima, lazily rescanned)

  #opened(x: Piece | Group): void {
    this.#s.openCount++;
    if (this.#dirty) return;
    const off = x.head.position.offset;
    if (off < this.#minFirstOffset) this.#minFirstOffset = off;
    if (x.lastTs < this.#minLastTs) this.#minLastTs = x.lastTs;
    if (x.firstPush < this.#minFirstPush) this.#minFirstPush = x.firstPush;
  }

  #closed(_x: Piece | Group): void {
    this.#s.openCount--;
    this.#dirty = true;
  }

  #rescanIfDirty(): void {
    if (!this.#dirty) return;
    let off = Number.POSITIVE_INFINITY;
    let ts = Number.POSITIVE_INFINITY;
    let push = Number.POSITIVE_INFINITY;
    for (const ks of this.#s.keys.values()) {
      for (const x of [ks.part, ks.group]) {
        if (!x) continue;
        const o = x.head.position.offset;
        if (o < off) off = o;
        if (x.lastTs < ts) ts = x.lastTs;
        if (x.firstPush < push) push = x.firstPush;
      }
    }
    this.#minFirstOffset = off;
    this.#minLastTs = ts;
    this.#minFirstPush = push;
    this.#dirty = false;
  }

  /** Before a unit is processed: close what a timestamp gap or the open-units cap ends. */
  #closeStale(ts: number): void {
    const o = this.#opts;
    const s = this.#s;
    this.#rescanIfDirty();
    const gapHit = Number.isFinite(ts) && ts - this.#minLastTs > o.groupGapMs;
    const pushLimit = s.pushed - o.maxOpenUnits;
    const capHit = this.#minFirstPush <= pushLimit;
    if (!gapHit && !capHit) return;
    for (const key of [...s.keys.keys()]) {
      const ks = s.keys.get(key);
      if (!ks) continue;
      const p = ks.part;
      if (p) {
        const stale = (gapHit && ts - p.lastTs > o.groupGapMs) || p.firstPush <= pushLimit;
        if (stale) {
          if (p.firstPush <= pushLimit) s.counters.openUnitsCapped++;
          else s.counters.groupsClosedByGap++;
          this.#finishPart(ks, true);
        }
      }
      const g = ks.group;
      if (g) {
        const byGap = gapHit && ts - g.lastTs > o.groupGapMs;
        const byCap = g.firstPush <= pushLimit;
        if (byGap || byCap) {
          if (byCap) s.counters.openUnitsCapped++;
          else s.counters.groupsClosedByGap++;
          this.#closeGroup(ks, byCap ? BIT['group-capped'] : 0);
        }
      }
      this.#dropIfIdle(key);
    }
  }

  /** After each unit: open-keys and hold-back caps (close the oldest open thing). */
  #enforceCaps(): void {
    const s = this.#s;
    const o = this.#opts;
    while (s.keys.size > o.maxOpenKeys) {
      s.counters.openKeysEvicted++;
      this.#closeOldest();
    }
    while (s.held.length > o.maxHeldBack && s.openCount > 0) {
      s.counters.heldBackCapped++;
      this.#closeOldest();
    }
  }

  /** Closes the open piece / group with the smallest first offset (and everything else of its key). */
  #closeOldest(): void {
    const s = this.#s;
    let oldest: KeyState | null = null;
    let best = Number.POSITIVE_INFINITY;
    for (const ks of s.keys.values()) {
      const off = Math.min(
        ks.part ? ks.part.head.position.offset : Number.POSITIVE_INFINITY,
        ks.group ? ks.group.head.position.offset : Number.POSITIVE_INFINITY,
      );
      if (off < best || oldest === null) {
        best = off;
        oldest = ks;
      }
    }
    if (!oldest) return;
    if (oldest.part) this.#finishPart(oldest, true);
    if (oldest.group) this.#closeGroup(oldest, BIT['group-capped']);
    this.#dropIfIdle(oldest.key);
  }

  // -------------------------------------------------------------------------------------------
  // Emission

  #complete(r: LogRecord, lastOffset: number): void {
    const s = this.#s;
    if (lastOffset > r.position.offset) {
      if (s.spans.length >= this.#opts.maxSpanHistory) {
        s.spans.shift();
        s.counters.spanHistoryCapped++;
      }
      s.spans.push([r.position.offset, lastOffset]);
    }
    const held = s.held;
    if (s.openCount === 0 && held.length === 0 && r.position.offset <= this.#inflight) {
      this.#emit(r);
      return;
    }
    // Sorted insert (nearly always at the end).
    let i = held.length;
    while (i > 0 && held[i - 1]!.position.offset > r.position.offset) i--;
    if (i === held.length) held.push(r);
    else held.splice(i, 0, r);
    this.#release();
  }

  #release(): void {
    const s = this.#s;
    const held = s.held;
    if (held.length === 0) return;
    let limit = this.#inflight;
    if (s.openCount > 0) {
      this.#rescanIfDirty();
      if (this.#minFirstOffset < limit) limit = this.#minFirstOffset;
    }
    let n = 0;
    while (n < held.length && held[n]!.position.offset < limit) n++;
    if (n === 0) return;
    for (let i = 0; i < n; i++) this.#emit(held[i]!);
    if (n === held.length) s.held = [];
    else held.splice(0, n);
  }

  #emit(r: LogRecord): void {
    const s = this.#s;
    s.outRecords.push(r);
    s.counters.recordsEmitted++;
    s.lastEmittedFirst = r.position.offset;
  }

  // -------------------------------------------------------------------------------------------
  // Record construction

  #build(
    head: Head,
    units: number,
    bytes: number,
    text: string,
    lineCount: number,
    flags: number,
    p: ParsedLine,
  ): LogRecord {
    const env = head.envelopeTimeMs;
    let lineMs: number | null = null;
    let zoneless = true;
    switch (p.timeKind) {
      case 'utc':
        lineMs = p.timeMs;
        zoneless = false;
        break;
      case 'wall':
        lineMs = this.#zone(p.timeMs);
        break;
      case 'yearless':
        lineMs = this.#resolveYear(p, env ?? head.position.timestampMs);
        break;
      default:
        lineMs = null;
    }
    let parsedTimeMs = lineMs;
    if (zoneless && env !== null) {
      parsedTimeMs = env;
      flags |= BIT['time-from-envelope'];
    }
    const k = head.kubernetes;
    return {
      position: head.position,
      units,
      lineNumber: head.position.offset + 1,
      lines: lineCount,
      bytes,
      wrapper: head.wrapper,
      format: p.format,
      parsedTimeMs,
      envelopeTimeMs: env,
      level: p.level as Level,
      component: componentOf(p, k),
      componentFromLine: p.component !== null,
      pid: p.pid,
      originFile: p.originFile,
      originLine: p.originLine,
      message: p.message,
      fields: p.fields,
      text,
      stream: head.stream,
      kubernetes: k,
      flags: flagList(flags),
      located: p.located,
    };
  }

  /** klog prints no year: pick the year that puts the line closest to the reference time. */
  #resolveYear(p: ParsedLine, ref: number): number | null {
    if (!Number.isFinite(ref)) return null;
    const y = new Date(ref).getUTCFullYear();
    let best: number | null = null;
    for (const yy of [y - 1, y, y + 1]) {
      const wall = Date.UTC(yy, p.month - 1, p.day) + p.timeOfDayMs;
      if (new Date(wall).getUTCDate() !== p.day) continue; // Feb 29 in a non-leap year
      const t = this.#zone(wall);
      if (best === null || Math.abs(t - ref) < Math.abs(best - ref)) best = t;
    }
    return best;
  }
}

function rawHead(position: SourcePosition, meta: KubernetesMeta | undefined): Head {
  return {
    position,
    wrapper: 'raw',
    envelopeTimeMs: null,
    stream: null,
    kubernetes: meta ?? NO_META,
    hints: null,
  };
}

/** One-entry memo of mergeMeta (a file's units share one meta; a pure cache). */
let mergedEnv: KubernetesMeta | null = null;
let mergedSrc: KubernetesMeta | null = null;
let merged: KubernetesMeta = NO_META;

/**
 * The envelope's meta with the fields it left empty filled from the source's (SourceUnit.meta):
 * envelope values win. Returns one of the two objects when nothing needs filling.
 */
function mergeMeta(env: KubernetesMeta, src: KubernetesMeta): KubernetesMeta {
  if (env === mergedEnv && src === mergedSrc) return merged;
  let out: KubernetesMeta;
  if (
    (env.node !== undefined || src.node === undefined) &&
    (env.namespace !== undefined || src.namespace === undefined) &&
    (env.pod !== undefined || src.pod === undefined) &&
    (env.container !== undefined || src.container === undefined) &&
    (env.image !== undefined || src.image === undefined)
  ) {
    out = env;
  } else if (
    env.node === undefined &&
    env.namespace === undefined &&
    env.pod === undefined &&
    env.container === undefined &&
    env.image === undefined
  ) {
    out = src;
  } else {
    out = Object.freeze({ ...src, ...env });
  }
  mergedEnv = env;
  mergedSrc = src;
  merged = out;
  return out;
}

function appendPiece(into: Piece, next: Piece): void {
  into.text += next.text;
  into.units += next.units;
  into.bytes += next.bytes;
  into.flags |= next.flags;
  into.lastOffset = next.lastOffset;
  if (next.lastTs > into.lastTs || !Number.isFinite(into.lastTs)) into.lastTs = next.lastTs;
}

function continues(g: Group, line: string): boolean {
  if (g.kind === 'table') return isTableLine(line);
  return isPanicContinuation(line, g.afterGoroutine);
}

function feed(g: Group, line: string): void {
  g.lines.push(line);
  if (g.kind === 'table') {
    if (line.charCodeAt(0) === 43 && line.charCodeAt(1) === 45) g.tableBorders++;
  } else if (!g.afterGoroutine && isGoroutineHeader(line)) g.afterGoroutine = true;
}

/**
 * Containers whose name is not their component: calico/node's init container `install-cni` runs
 * the CNI installer (calico manifests and tigera-operator name it so; cni-plugin/pkg/install).
 */
const CONTAINER_COMPONENTS: ReadonlyMap<string, string> = new Map([['install-cni', 'cni-installer']]);

function componentOf(p: ParsedLine, k: KubernetesMeta): string {
  if (p.component !== null) return p.component;
  const c = k.container === undefined ? undefined : (CONTAINER_COMPONENTS.get(k.container) ?? k.container);
  return c ?? 'unknown';
}

function cloneGroup(g: Group | null): Group | null {
  return g ? { ...g, lines: g.lines.slice() } : null;
}

function cloneState(s: State): State {
  const keys = new Map<string, KeyState>();
  for (const [k, ks] of s.keys) {
    keys.set(k, { key: ks.key, group: cloneGroup(ks.group), part: ks.part ? { ...ks.part } : null });
  }
  return {
    keys,
    held: s.held.slice(),
    outRecords: s.outRecords.slice(),
    outDead: s.outDead.slice(),
    spans: s.spans.slice(),
    counters: { ...s.counters },
    pushed: s.pushed,
    openCount: s.openCount,
    lastOffset: s.lastOffset,
    lastEmittedFirst: s.lastEmittedFirst,
    lastSafe: s.lastSafe,
  };
}
