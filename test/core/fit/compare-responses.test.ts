import { describe, expect, it } from 'vitest';
import { compareResponses } from '../../../src/core/fit/compare-responses.js';

const opts = { event: 'e.json', numericTolerance: 0 };

describe('compareResponses', () => {
  it('finds nothing for equal JSON', () => {
    expect(compareResponses({ a: [1, 'x', { b: null }] }, { a: [1, 'x', { b: null }] }, opts)).toEqual([]);
  });

  it('reports strings exactly, with path, expected and got', () => {
    expect(compareResponses({ answer: 'Lambda', n: 1 }, { answer: 'lambda', n: 1 }, opts)).toEqual([{ event: 'e.json', path: 'answer', expected: '"Lambda"', got: '"lambda"' }]);
  });

  it('compares numbers within a relative tolerance', () => {
    expect(compareResponses({ score: 10 }, { score: 10.4 }, { ...opts, numericTolerance: 0.05 })).toEqual([]);
    expect(compareResponses({ score: 10 }, { score: 11 }, { ...opts, numericTolerance: 0.05 })).toHaveLength(1);
    expect(compareResponses({ score: 10 }, { score: 10.0001 }, opts)).toHaveLength(1);
  });

  it('reports missing keys, extra keys, array lengths and type changes', () => {
    const d = compareResponses({ a: 1, b: [1, 2], c: '1' }, { b: [1], c: 1, d: true }, opts);
    expect(d.map((x) => x.path).sort()).toEqual(['a', 'b.length', 'c', 'd']);
  });

  it('skips ignored paths, with * for any key', () => {
    const golden = { t: 1, items: [{ id: 'a', v: 1 }, { id: 'b', v: 2 }] };
    const got = { t: 2, items: [{ id: 'x', v: 1 }, { id: 'y', v: 2 }] };
    expect(compareResponses(golden, got, { ...opts, ignore: ['t', 'items.*.id'] })).toEqual([]);
    expect(compareResponses(golden, got, { ...opts, ignore: ['t'] })).toHaveLength(2);
  });

  it('looks inside a JSON string body', () => {
    const golden = { statusCode: 200, body: JSON.stringify({ score: 1.0, at: 'x' }) };
    expect(compareResponses(golden, { statusCode: 200, body: JSON.stringify({ at: 'x', score: 1.001 }) }, { ...opts, numericTolerance: 0.01 })).toEqual([]);
    expect(compareResponses(golden, { statusCode: 200, body: JSON.stringify({ score: 1.0, at: 'y' }) }, opts)[0]?.path).toBe('body.at');
  });

  it('stops at the limit', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    expect(compareResponses(a, a.map((x) => x + 1), { ...opts, limit: 5 })).toHaveLength(5);
  });
});
