import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQaModelGraph } from '../../../src/core/demo/qa-model-graph.js';
import { InputError } from '../../../src/core/errors.js';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import { describeInputs } from '../../../src/core/quantize/describe-inputs.js';
import { loadInputsFile, parseInputsDocument } from '../../../src/core/quantize/load-inputs-file.js';
import { synthesizeInputs } from '../../../src/core/quantize/synthesize-inputs.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const qa = () => buildQaModelGraph({ spec: { vocabSize: 300, hidden: 32, layers: 1, heads: 2, ffn: 64, maxPositions: 64 }, seed: 1 });

function imageModel() {
  const mb = new ModelBuilder({ opset: 11 });
  mb.graph.input('x', DataType.FLOAT, ['N', 3, 'H', 'W']);
  mb.graph.input('scale', DataType.FLOAT, ['N', 4]);
  mb.graph.node('Relu', ['x'], ['y']);
  mb.graph.output('y', DataType.FLOAT, ['N', 3, 'H', 'W']);
  return mb.build();
}

describe('describeInputs + synthesizeInputs', () => {
  it('makes token ids within the embedding table, masks of ones, at the requested length', () => {
    const specs = describeInputs(qa());
    expect(specs).toEqual([
      { name: 'input_ids', type: 'int64', dims: ['batch', 'sequence'], role: 'token-ids', vocabSize: 300 },
      { name: 'attention_mask', type: 'int64', dims: ['batch', 'sequence'], role: 'mask', vocabSize: undefined },
    ]);
    const samples = synthesizeInputs(specs, { samples: 5, sequenceLength: 40, seed: 3 });
    expect(samples).toHaveLength(5);
    for (const s of samples) {
      expect(s.input_ids!.dims).toEqual([1, 40]);
      const ids = Array.from(s.input_ids!.data as BigInt64Array, Number);
      expect(Math.min(...ids)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...ids)).toBeLessThan(300);
      expect(new Set(ids).size).toBeGreaterThan(10);
      expect(Array.from(s.attention_mask!.data as BigInt64Array)).toEqual(Array(40).fill(1n));
    }
    // Deterministic for a seed, different across samples.
    expect(synthesizeInputs(specs, { samples: 2, seed: 3 })[1]!.input_ids!.data).toEqual(synthesizeInputs(specs, { samples: 2, seed: 3 })[1]!.input_ids!.data);
    expect(samples[0]!.input_ids!.data).not.toEqual(samples[1]!.input_ids!.data);
  });

  it('makes smooth images in [-1, 1] for NCHW inputs with free dims, Gaussian features otherwise', () => {
    const specs = describeInputs(imageModel());
    expect(specs.map((s) => s.role)).toEqual(['image', 'features']);
    const [s] = synthesizeInputs(specs, { samples: 1, imageSize: 64 });
    expect(s!.x!.dims).toEqual([1, 3, 64, 64]);
    const px = s!.x!.data as Float32Array;
    expect(Math.min(...px)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
    // Neighbouring pixels are close (smooth), unlike white noise.
    let step = 0;
    for (let i = 1; i < 64; i++) step += Math.abs(px[i]! - px[i - 1]!);
    expect(step / 63).toBeLessThan(0.2);
    expect(s!.scale!.dims).toEqual([1, 4]);
  });
});

describe('--inputs files', () => {
  it('accepts nested arrays and { dims, data }, typed from the model', async () => {
    const path = join(dir, 'inputs.json');
    writeFileSync(path, JSON.stringify({ samples: [{ input_ids: [[101, 7, 102]], attention_mask: { dims: [1, 3], data: [1, 1, 0] } }] }));
    const [s] = await loadInputsFile(path, describeInputs(qa()));
    expect(s!.input_ids).toEqual({ type: 'int64', dims: [1, 3], data: BigInt64Array.from([101n, 7n, 102n]) });
    expect(Array.from(s!.attention_mask!.data as BigInt64Array)).toEqual([1n, 1n, 0n]);
  });

  it('names the sample and input in one InputError when something does not fit', async () => {
    const specs = describeInputs(qa());
    const bad: Array<[unknown, RegExp]> = [
      [{ samples: [] }, /has no samples/],
      [[{ input_ids: [[1, 2]] }], /samples\[0\]\.attention_mask is missing/],
      [[{ input_ids: [[1, 2], [3]], attention_mask: [[1, 1]] }], /samples\[0\]\.input_ids is not rectangular/],
      [[{ input_ids: { dims: [1, 3], data: [1, 2] }, attention_mask: [[1, 1]] }], /has 2 values for dims \[1, 3\]/],
      [[{ input_ids: [1, 2], attention_mask: [[1, 1]] }], /has rank 1, but the model's input has rank 2/],
    ];
    for (const [doc, message] of bad) {
      expect(() => parseInputsDocument(doc, specs, 'in.json')).toThrow(InputError);
      expect(() => parseInputsDocument(doc, specs, 'in.json')).toThrow(message);
    }
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    await expect(loadInputsFile(join(dir, 'broken.json'), specs)).rejects.toThrow(/broken\.json is not valid JSON/);
  });
});
