import { describe, expect, it } from 'vitest';
import { parseCalicoUntimed } from '../../../../src/parse/formats/calico.ts';
import { parseLine } from '../../../../src/parse/formats/index.ts';
import { parseLogrusColour } from '../../../../src/parse/formats/logrus-colour.ts';

const E = '\u001b';

describe('parseLogrusColour (logrus TextFormatter printColored)', () => {
  it('level, message without its padding, fields marked by their colour escapes', () => {
    const line = `${E}[31mERRO${E}[0m[0000] Error creating veth: failed to add route file exists  ${E}[31mWorkload${E}[0m=xxxx.udptest-3970579046-19tjp ${E}[31merror${E}[0m="a b=c"`;
    const p = parseLogrusColour(line)!;
    expect(p).toMatchObject({ format: 'logrus', level: 'ERROR', timeKind: 'none' });
    expect(p.message).toBe('Error creating veth: failed to add route file exists');
    expect(p.fields).toEqual([
      ['Workload', 'xxxx.udptest-3970579046-19tjp'],
      ['error', 'a b=c'],
    ]);
  });

  it('reads `^[` as a terminal paste shows ESC, and FullTimestamp times', () => {
    const p = parseLine('^[[33mWARN^[[0m[2019-03-01T10:00:00Z] Slow   ^[[33mms^[[0m=12');
    expect(p).toMatchObject({ format: 'logrus', level: 'WARNING', message: 'Slow', timeKind: 'utc' });
    expect(p.timeMs).toBe(Date.UTC(2019, 2, 1, 10));
    expect(p.fields).toEqual([['ms', '12']]);
    expect(parseLine(`${E}[36mINFO${E}[0m[0003] plain message`)).toMatchObject({
      message: 'plain message',
      fields: [],
    });
  });

  it('anything else is not this format', () => {
    for (const s of [
      `${E}[31mred text${E}[0m`,
      `${E}[31mOOPS${E}[0m[0000] x`,
      `${E}[31mERRO${E}[0m[00a0] x`,
      '^[[2Kclear',
    ]) {
      expect(parseLogrusColour(s), s).toBeNull();
      expect(parseLine(s).format, s).toBe('unparsed');
    }
  });
});

describe('parseCalicoUntimed (a Calico line whose time was lifted off)', () => {
  it('parses level, pid, component, location and fields; no time', () => {
    const p = parseLine(
      '[ERROR][392] felix/daemon.go 411: Shutting down due to fatal error error=failed to read from netlink (resync): device or resource busy',
    )!;
    expect(p).toMatchObject({
      format: 'calico',
      level: 'ERROR',
      pid: 392,
      component: 'felix',
      originFile: 'daemon.go',
      originLine: 411,
      message: 'Shutting down due to fatal error',
      timeKind: 'none',
    });
    expect(p.fields).toEqual([['error', 'failed to read from netlink (resync): device or resource busy']]);
  });

  it('needs a Calico level and a numeric pid', () => {
    for (const s of ['[NOTE][1] x.go 1: m', '[INFO][abc] x.go 1: m', '[INFO] x.go 1: m', '[pod/x/y] z']) {
      expect(parseCalicoUntimed(s), s).toBeNull();
    }
  });
});
