import { describe, expect, it } from 'vitest';
import { classifierFor } from '../../../../src/classify/index.ts';
import { libraryOf } from '../../../../src/classify/statements/library.ts';
import { lineages, reworded } from '../../../../src/classify/statements/lineage.ts';
import type { Statement } from '../../../../src/classify/statements/types.ts';
import { parseLineForTest } from '../helpers.ts';

function st(id: string, format: string, releases: [number, number], p: Partial<Statement> = {}): Statement {
  return {
    id,
    level: 'WARNING',
    kind: 'logrus',
    format,
    args: [],
    keys: [],
    context_keys: ['ifaceName'],
    dynamic_keys: false,
    components: ['felix'],
    rate_limited: false,
    category: null,
    sites: [
      {
        file: 'felix/routetable/route_table.go',
        line: 100,
        printed: 'felix/route_table.go',
        releases: [releases],
      },
    ],
    ...p,
  };
}

// felix/routetable/route_table.go: v3.10-v3.22 print the first wording, later releases the second.
const OLD = st(
  '00000000000000a1',
  'Failed to sync routes to interface even after retries. Leaving it dirty.',
  [0, 3],
);
const NEW = st(
  '00000000000000a2',
  'Failed to sync routes to interface even after retries. Leaving it dirty, requiring a full sync.',
  [4, 9],
);

describe('statement lineages', () => {
  it('joins a reworded call of later releases to the earlier wording, represented by the newest', () => {
    expect(reworded(OLD, NEW)).toBe(true);
    expect([...lineages(libraryOf([OLD, NEW]))]).toEqual([1, 1]);
    const classify = classifierFor(libraryOf([OLD, NEW]));
    const a = classify(
      parseLineForTest(
        '2019-07-20 06:24:14.091 [WARNING][53] route_table.go 176: Failed to sync routes to interface even after retries. Leaving it dirty. ifaceName="cali66160778b80"',
      ),
    );
    const b = classify(
      parseLineForTest(
        '2025-01-08 07:25:22.543 [WARNING][223] felix/route_table.go 575: Failed to sync routes to interface even after retries. Leaving it dirty, requiring a full sync. ifaceName="cali1"',
      ),
    );
    expect(a.statement).toBe(OLD.id);
    expect(b.statement).toBe(NEW.id);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.template).toBe(b.template);
  });

  it('keeps statements apart that print in the same releases, at other levels, with other keys or in other files', () => {
    const overlapping = { ...NEW, sites: [{ ...NEW.sites[0]!, releases: [[3, 9]] as [number, number][] }] };
    expect(reworded(OLD, overlapping)).toBe(false);
    const all = [
      OLD,
      st('00000000000000b1', `${NEW.format}`, [4, 9], { level: 'ERROR' }),
      st('00000000000000b2', `${NEW.format}`, [4, 9], { keys: ['error'] }),
      st('00000000000000b3', `${NEW.format}`, [4, 9], {
        sites: [
          {
            file: 'felix/dataplane/linux/int_dataplane.go',
            line: 1,
            printed: 'felix/int_dataplane.go',
            releases: [[4, 9]],
          },
        ],
      }),
      st('00000000000000b4', 'Failed to sync routes to the kernel', [4, 9]),
    ];
    expect([...lineages(libraryOf(all))]).toEqual([0, 1, 2, 3, 4]);
  });
});
