import { describe, expect, it } from 'vitest';
import { classifierFor } from '../../../../src/classify/index.ts';
import { matchTierExists } from '../../../../src/classify/rules/tier-exists.ts';
import { libraryOf } from '../../../../src/classify/statements/library.ts';
import { makeRecord } from '../helpers.ts';

// The rules classify the lines no library statement printed (releases the library does not cover,
// reworded messages): tested here without the library; tests/classify/statements cover the library.
const classify = classifierFor(libraryOf([]));

const withError = (tier: string, component = 'kube-controllers') =>
  makeRecord({
    component,
    message: `Tier ${tier} already exists.`,
    fields: [['error', `resource already exists: Tier(${tier})`]],
  });

describe('tier-exists rule', () => {
  it('masks the tier: one fingerprint per component and level, tier as a param', () => {
    const a = classify(withError('default'));
    const b = classify(withError('adminnetworkpolicy'));
    expect(a.category).toBe('tier-exists');
    expect(a.template).toBe('Tier <TIER> already exists. error=resource already exists: Tier(<TIER>)');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.params).toEqual({ tier: 'default' });
    expect(b.params).toEqual({ tier: 'adminnetworkpolicy' });
  });
  it('separates components and levels', () => {
    expect(classify(withError('default', 'typha')).fingerprint).not.toBe(
      classify(withError('default')).fingerprint,
    );
    const debug = classify(
      makeRecord({ component: 'kube-controllers', level: 'DEBUG', message: 'Tier default already exists.' }),
    );
    expect(debug.category).toBe('tier-exists');
    expect(debug.template).toBe('Tier <TIER> already exists.');
  });
  it('handles an inline error when fields were not split', () => {
    const r = makeRecord({
      message: 'Tier default already exists. error=resource already exists: Tier(default)',
    });
    expect(matchTierExists(r)).toEqual({
      template: 'Tier <TIER> already exists. error=resource already exists: Tier(<TIER>)',
      params: { tier: 'default' },
    });
  });
  it('does not claim neighbours of the family', () => {
    expect(matchTierExists(makeRecord({ message: 'Tier default is now available.' }))).toBeNull();
    expect(matchTierExists(makeRecord({ message: 'Unauthorized to create tier default.' }))).toBeNull();
  });
});
