import { describe, expect, it } from 'vitest';
import { RELAUNCHED_ENV, relaunchArgs, START_FLAGS } from '../../../src/v8-tuning.ts';

const argv = ['/usr/bin/node', '/app/bin/logsift', 'replay', 'in.log', '--quiet'];

describe('relaunchArgs (bin/logsift starts replay again with the start-up heap sizes)', () => {
  it('puts START_FLAGS before the node arguments and the script with its arguments', () => {
    expect(relaunchArgs(argv, ['--enable-source-maps'], {})).toEqual([
      ...START_FLAGS,
      '--enable-source-maps',
      '/app/bin/logsift',
      'replay',
      'in.log',
      '--quiet',
    ]);
  });

  it('does not relaunch a relaunched process, nor with LOGSIFT_V8_DEFAULTS=1', () => {
    expect(relaunchArgs(argv, [], { [RELAUNCHED_ENV]: '1' })).toBeNull();
    expect(relaunchArgs(argv, [], { LOGSIFT_V8_DEFAULTS: '1' })).toBeNull();
  });

  it("keeps the user's own heap size (command line or NODE_OPTIONS)", () => {
    expect(relaunchArgs(argv, ['--max-semi-space-size=32'], {})).toBeNull();
    expect(relaunchArgs(argv, [], { NODE_OPTIONS: '--inspect --max-semi-space-size=2' })).toBeNull();
    expect(relaunchArgs(argv, ['--heap-growing-percent=10'], {})).toBeNull();
    expect(relaunchArgs(argv, [], { NODE_OPTIONS: '--max-old-space-size=4096' })).not.toBeNull();
  });
});
