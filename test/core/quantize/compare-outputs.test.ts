import { describe, expect, it } from 'vitest';
import { classAxis, compareOutputs, evaluateGate } from '../../../src/core/quantize/compare-outputs.js';
import type { ProbeTensor } from '../../../src/core/quantize/run-ort-probe.js';

const f = (dims: number[], values: number[]): ProbeTensor => ({ type: 'float32', dims, data: Float32Array.from(values) });

describe('compareOutputs', () => {
  it('computes cosine, max abs diff, relative RMSE and top-1 agreement over all samples', () => {
    const ref = [{ logits: f([2, 3], [1, 2, 3, 3, 2, 1]) }, { logits: f([2, 3], [0, 1, 0, 5, 0, 0]) }];
    const cand = [{ logits: f([2, 3], [1, 2, 3, 3, 2, 1]) }, { logits: f([2, 3], [0, 1, 2, 5, 0, 0]) }];
    const r = compareOutputs(ref, cand);
    const o = r.outputs[0]!;
    expect(o.classAxis).toBe(1);
    expect(o.top1Agreement).toBe(3 / 4); // the second sample's first row flips from class 1 to class 2
    expect(o.maxAbsDiff).toBe(2);
    // Global cosine over both samples: dot = 28 + 26, |a|² = 28 + 26, |b|² = 28 + 30.
    expect(o.cosine).toBeCloseTo(54 / Math.sqrt(54 * 58), 10);
    expect(o.minCosine).toBeCloseTo(26 / Math.sqrt(26 * 30), 10);
    expect(o.relRmse).toBeCloseTo(Math.sqrt(4 / 54), 10);
    expect(r.cosine).toBe(o.cosine);
  });

  it('treats NaN and missing outputs as failures, and all-zero outputs as agreeing', () => {
    const r = compareOutputs([{ y: f([2], [0, 0]), z: f([1], [1]) }], [{ y: f([2], [0, 0]), z: f([1], [NaN]) }]);
    expect(r.outputs[0]!.cosine).toBe(1);
    expect(r.outputs[1]!.finite).toBe(false);
    expect(evaluateGate(r, { minCosine: 0.99 })).toEqual({ passed: false, reasons: ['z has non-finite or missing values'] });
  });

  it('finds class axes: last for [B,C] and [B,T,C], channels for NCHW maps, none for 1-channel maps', () => {
    expect(classAxis([1, 1000])).toBe(1);
    expect(classAxis([1, 40, 6625])).toBe(2);
    expect(classAxis([1, 128])).toBe(1);
    expect(classAxis([1, 21, 64, 64])).toBe(1);
    expect(classAxis([1, 1, 320, 320])).toBeNull();
    expect(classAxis([1, 1])).toBeNull();
  });

  it('gates on cosine and, when asked, on top-1 agreement', () => {
    const ref = [{ c: f([1, 2], [1, 0]) }];
    const cand = [{ c: f([1, 2], [0.4, 0.6]) }];
    const r = compareOutputs(ref, cand);
    expect(evaluateGate(r, { minCosine: 0.5 }).passed).toBe(true);
    const g = evaluateGate(r, { minCosine: 0.5, minTop1: 0.99 });
    expect(g.passed).toBe(false);
    expect(g.reasons[0]).toMatch(/top-1 agreement 0\.0% < 99\.0%/);
  });
});
