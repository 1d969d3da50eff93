import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../../src/parse/formats/index.ts';

describe('parseLine dispatch', () => {
  it.each([
    [
      '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists.',
      'calico',
    ],
    ['bird: Started', 'bird'],
    ['I0114 09:30:05.412337       1 run_server.go:78] Running the API server', 'klog'],
    ['time="2025-01-14T09:30:04Z" level=info msg="x"', 'logrus'],
    ['panic: boom', 'gopanic'],
    ['fatal error: out of memory', 'gopanic'],
    ['... dropped 3 logs ...', 'calico'],
    ['Some other program output', 'unparsed'],
    ['', 'unparsed'],
    ['2025-01-14 garbage', 'unparsed'],
    ['Ixxxx', 'unparsed'],
  ])('%s -> %s', (line, format) => {
    const p = parseLine(line);
    expect(p.format).toBe(format);
    if (format === 'unparsed') {
      expect(p.message).toBe(line);
      expect(p.level).toBe('UNKNOWN');
    }
  });
});
