import { describe, expect, it } from 'vitest';
import { chooseAlternative } from '../../../src/core/fit/choose-alternative.js';
import type { PlanAlternative } from '../../../src/core/plan/fit-plan.js';

function alt(id: string, zipped: number, init: number | null, opts: { fits?: boolean; passed?: boolean; memory?: number } = {}): PlanAlternative {
  return {
    id,
    label: id,
    includes: [],
    sizes: { files: 1, unzippedBytes: zipped * 2, zippedBytes: zipped, fits: opts.fits ?? true },
    measured: { passed: opts.passed ?? true, initDurationMs: init, coldDurationMs: 1, warmDurationMs: 1, maxMemoryUsedMB: opts.memory ?? 100, invocations: 3, mismatches: [], ...(opts.passed === false ? { error: 'boom' } : {}) },
    accuracyCosine: null,
    rejected: [],
  };
}

describe('chooseAlternative', () => {
  it('picks the fitting, verified state with the smallest cold start', () => {
    const r = chooseAlternative([alt('baseline', 900, 3000, { fits: false }), alt('pruned', 500, 2000), alt('int8', 200, 900), alt('int4', 100, 800, { passed: false })], 'zip-s3');
    expect(r.chosen).toBe('int8');
    expect(r.alternatives.find((a) => a.id === 'baseline')!.rejected).toEqual(['does not fit zip-s3']);
    expect(r.alternatives.find((a) => a.id === 'int4')!.rejected[0]).toMatch(/failed verification \(boom\)/);
    expect(r.alternatives.find((a) => a.id === 'int8')!.rejected).toEqual([]);
  });

  it('points to the measured container image when nothing fits the zip targets', () => {
    const image = { ...alt('image', 400_000_000, 1200), includes: ['placement: image'], rejected: ['ships as a container image, not zip-s3: re-run with --target image to choose it'] };
    const r = chooseAlternative([alt('baseline', 400_000_000, 1200, { fits: false }), image], 'zip-s3');
    expect(r.chosen).toBeNull();
    expect(r.explanation.join(' ')).toMatch(/container image \(--target image, 10 GB\): "image" verified with a cold start of 1200 ms/);
  });

  it('treats cold starts within the noise margin as equal and prefers the smaller zip', () => {
    expect(chooseAlternative([alt('baseline', 900, 100), alt('pruned', 500, 180)], 'zip-s3').chosen).toBe('pruned');
    expect(chooseAlternative([alt('baseline', 900, 100), alt('pruned', 500, 400)], 'zip-s3').chosen).toBe('baseline');
  });

  it('applies budgets', () => {
    const r = chooseAlternative([alt('a', 100, 100, { memory: 3000 }), alt('b', 200, 300)], 'zip-s3', { maxMemoryMB: 2048 });
    expect(r.chosen).toBe('b');
    expect(r.alternatives[0]!.rejected[0]).toMatch(/memory 3000 MB over the 2048 MB budget/);
  });

  it('explains with numbers when nothing fits, and names a placement', () => {
    const r = chooseAlternative([alt('baseline', 90 * 1048576, 3000, { fits: false }), alt('int8', 60 * 1048576, 1500, { fits: false })], 'zip-direct');
    expect(r.chosen).toBeNull();
    expect(r.explanation[0]).toBe('No verified state fits zip-direct.');
    expect(r.explanation[1]).toMatch(/"int8", is 60\.0 MiB zipped/);
    expect(r.explanation[2]).toMatch(/zip-s3|object storage/);
  });
});
