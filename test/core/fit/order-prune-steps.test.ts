import { describe, expect, it } from 'vitest';
import { orderPruneSteps } from '../../../src/core/fit/order-prune-steps.js';
import { candidate } from './candidates.js';

describe('orderPruneSteps', () => {
  const all = [
    candidate('typings', 'caution', ['a.d.ts']),
    candidate('docs', 'safe', ['README.md']),
    candidate('tests', 'safe', ['t1.js', 't2.js']),
    candidate('darwin', 'safe', ['bin/darwin.node'], 'native-foreign'),
    candidate('risky', 'danger', ['x.js']),
  ];

  it('puts foreign binaries first, then safe, then caution, bigger rules first', () => {
    const steps = orderPruneSteps(all, 'caution');
    expect(steps.map((s) => s.label)).toEqual(['binaries for other platforms', 'safe rules', 'caution rules']);
    expect(steps[1]!.candidates.map((c) => c.ruleId)).toEqual(['tests', 'docs']);
  });

  it('leaves out rules above the maximum risk', () => {
    expect(orderPruneSteps(all, 'safe').flatMap((s) => s.candidates.map((c) => c.ruleId))).toEqual(['darwin', 'tests', 'docs']);
    expect(orderPruneSteps(all, 'danger').map((s) => s.risk)).toEqual(['safe', 'safe', 'caution', 'danger']);
  });
});
