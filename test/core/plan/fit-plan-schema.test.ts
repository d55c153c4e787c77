import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { validateFitPlan } from '../../../src/core/plan/fit-plan-schema.js';
import type { FitPlan, StateMeasurement } from '../../../src/core/plan/fit-plan.js';

const m: StateMeasurement = { passed: true, initDurationMs: 120, coldDurationMs: 10, warmDurationMs: 3, maxMemoryUsedMB: 60, invocations: 3, mismatches: [] };
const sizes = { files: 3, unzippedBytes: 300, zippedBytes: 500, fits: true };

/** A minimal valid plan, as fitBundle produces it. */
export function samplePlan(): FitPlan {
  return {
    format: 'lambdafit-fit-plan',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    input: { path: '/x', treeHash: 'a'.repeat(64), sizes },
    target: 'zip-s3',
    arch: 'x86_64',
    memorySize: 512,
    function: { runtime: 'nodejs20.x', handler: 'index.handler' },
    events: ['(empty event)'],
    steps: [{ kind: 'prune', ruleId: 'r', ruleSet: 's', risk: 'safe', description: 'd', files: [{ path: 'a.md', bytes: 1 }], bytes: 1 }],
    predicted: sizes,
    verification: { baseline: m, final: m },
    alternatives: [{ id: 'baseline', label: 'unmodified bundle', includes: [], sizes, measured: m, accuracyCosine: null, rejected: [] }],
    chosen: 'baseline',
    explanation: ['because'],
  };
}

describe('validateFitPlan', () => {
  it('accepts a plan after a JSON round trip', () => {
    const plan = samplePlan();
    expect(validateFitPlan(JSON.parse(JSON.stringify(plan)), 'plan.json')).toEqual(plan);
  });

  it('names the file and the first problem', () => {
    const bad = { ...samplePlan(), steps: [{ kind: 'prune', ruleId: 'r' }] };
    expect(() => validateFitPlan(bad, 'plan.json')).toThrow(InputError);
    expect(() => validateFitPlan(bad, 'plan.json')).toThrow(/plan\.json is not a valid lambdafit plan \(steps\[0\]/);
  });

  it('refuses another version with a clear fix', () => {
    expect(() => validateFitPlan({ ...samplePlan(), version: 2 }, 'p.json')).toThrow(/version 2 plan.*re-run `lambdafit fit`/);
  });
});
