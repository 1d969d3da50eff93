import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../../src/parse/formats/index.ts';
import { parseZap } from '../../../../src/parse/formats/zap.ts';

describe('parseZap (tigera-operator JSON lines)', () => {
  it('ISO ts, logger first in the fields, logr pairs in printed order', () => {
    const p = parseZap(
      '{"level":"info","ts":"2024-05-01T10:00:00Z","logger":"controller_installation","msg":"Reconciling Installation.operator.tigera.io","Request.Namespace":"","Request.Name":"default"}',
    )!;
    expect(p).toMatchObject({
      format: 'zap',
      level: 'INFO',
      component: 'tigera-operator',
      message: 'Reconciling Installation.operator.tigera.io',
      timeKind: 'utc',
      timeMs: Date.UTC(2024, 4, 1, 10),
      pid: null,
    });
    expect(p.fields).toEqual([
      ['logger', 'controller_installation'],
      ['Request.Namespace', ''],
      ['Request.Name', 'default'],
    ]);
  });

  it('float epoch seconds (to the ms, without float drift), caller, error; stacktrace left out of the fields', () => {
    const p = parseZap(
      '{"level":"error","ts":1714557600.123,"logger":"controller_apiserver","caller":"apiserver/apiserver_controller.go:211","msg":"Error querying installation","error":"not found","stacktrace":"sigs.k8s.io/x\\n\\t/go/x.go:1","n":3,"o":{"a":true}}',
    )!;
    expect(p.timeMs).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(p).toMatchObject({ level: 'ERROR', originFile: 'apiserver_controller.go', originLine: 211 });
    expect(p.fields).toEqual([
      ['logger', 'controller_apiserver'],
      ['error', 'not found'],
      ['n', '3'],
      ['o', '{"a":true}'],
    ]);
  });

  it('zap level names, logr V-levels, ISO 8601 with a numeric zone', () => {
    const lv = (l: string) => parseZap(`{"level":"${l}","msg":"m"}`)!.level;
    expect([
      lv('debug'),
      lv('warn'),
      lv('dpanic'),
      lv('panic'),
      lv('fatal'),
      lv('Level(-2)'),
      lv('x'),
    ]).toEqual(['DEBUG', 'WARNING', 'PANIC', 'PANIC', 'FATAL', 'DEBUG', 'UNKNOWN']);
    expect(parseZap('{"level":"info","ts":"2024-05-01T12:00:00.500+0200","msg":"m"}')!.timeMs).toBe(
      Date.UTC(2024, 4, 1, 10, 0, 0, 500),
    );
    expect(parseZap('{"level":"info","msg":"m"}')!.timeKind).toBe('none');
  });

  it('other JSON is not zap; parseLine never throws on it', () => {
    for (const s of [
      '{"msg":"m"}',
      '{"level":1,"msg":"m"}',
      '{"level":"info"}',
      '{"level":"info","msg":"m"',
      '[1]',
      '{',
    ]) {
      expect(parseZap(s), s).toBeNull();
      expect(parseLine(s).format, s).toBe('unparsed');
    }
    expect(parseLine('{"level":"info","msg":"m"}').format).toBe('zap');
  });
});
