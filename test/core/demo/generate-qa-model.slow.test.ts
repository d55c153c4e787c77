import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQaModel, QA_MODEL_PARAMETERS, qaModelParameterCount, qaModelSpec } from '../../../src/core/demo/generate-qa-model.js';
import { readOnnxModel } from '../../../src/core/onnx/read-onnx-model.js';
import { tensorElementCount } from '../../../src/core/onnx/tensor-data.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-qa-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function runQa(path: string, ids: number[][], mask: number[][]) {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'all' });
  const [b, s] = [ids.length, ids[0]!.length];
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [b, s]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), [b, s]),
  });
  await session.release();
  return { start: out.start_logits!, end: out.end_logits! };
}

describe('generateQaModel', () => {
  it('has DistilBERT-QA dimensions: 66.36 M parameters, ≈265 MB', () => {
    expect(QA_MODEL_PARAMETERS).toBe(66_364_418);
    expect(qaModelSpec).toMatchObject({ vocabSize: 30522, hidden: 768, layers: 6, heads: 12, ffn: 3072, maxPositions: 512 });
  });

  it('writes the full model deterministically; it runs in onnxruntime with finite, varied logits', async () => {
    const a = join(dir, 'a.onnx');
    const res = await generateQaModel(a, { seed: 7 });
    expect(res.parameters).toBe(66_364_418);
    expect(res.bytes).toBeGreaterThan(265_000_000);
    expect(res.bytes).toBeLessThan(266_000_000);

    const model = await readOnnxModel(a);
    const params = model.graph!.initializer.filter((t) => t.dataType === 1 && t.dims.length > 0 && !t.name!.startsWith('const')).reduce((n, t) => n + tensorElementCount(t), 0);
    expect(params).toBe(66_364_418);
    expect(model.opsetImport).toEqual([expect.objectContaining({ domain: '', version: 17 })]);
    expect(model.graph!.node.some((n) => n.opType === 'LayerNormalization')).toBe(true);

    const ids = [Array.from({ length: 16 }, (_, i) => (i * 977 + 101) % 30522), Array.from({ length: 16 }, (_, i) => (i * 31 + 7) % 30522)];
    const mask = [Array(16).fill(1), [...Array(10).fill(1), ...Array(6).fill(0)]];
    const { start, end } = await runQa(a, ids, mask);
    expect(start.dims).toEqual([2, 16]);
    expect(end.dims).toEqual([2, 16]);
    const values = [...(start.data as Float32Array), ...(end.data as Float32Array)];
    expect(values.every(Number.isFinite)).toBe(true);
    const mean = values.reduce((x, y) => x + y, 0) / values.length;
    const std = Math.sqrt(values.reduce((x, y) => x + (y - mean) ** 2, 0) / values.length);
    expect(std).toBeGreaterThan(0.05);
    // The mask matters: hiding the tail changes the logits of the visible tokens.
    const unmasked = await runQa(a, [ids[1]!], [Array(16).fill(1)]);
    expect((unmasked.start.data as Float32Array)[0]).not.toBeCloseTo((start.data as Float32Array)[16]!, 4);

    const b = join(dir, 'b.onnx');
    await generateQaModel(b, { seed: 7 });
    expect(sha(b)).toBe(sha(a));
  });

  it('makes small variants for fast tests, and a different seed gives different weights', async () => {
    const spec = { vocabSize: 500, hidden: 64, layers: 1, heads: 4, ffn: 128, maxPositions: 64 };
    const [c, d] = [join(dir, 'c.onnx'), join(dir, 'd.onnx')];
    const r1 = await generateQaModel(c, { seed: 1, spec });
    await generateQaModel(d, { seed: 2, spec });
    expect(r1.parameters).toBe(qaModelParameterCount(spec));
    expect(sha(c)).not.toBe(sha(d));
    const { start } = await runQa(c, [[1, 2, 3, 499]], [[1, 1, 1, 1]]);
    expect(new Set(start.data as Float32Array).size).toBe(4);
  });
});
