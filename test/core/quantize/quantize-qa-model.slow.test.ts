import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQaModel } from '../../../src/core/demo/generate-qa-model.js';
import { inspectModel } from '../../../src/core/onnx/inspect-model.js';
import { quantizeOnnxFile } from '../../../src/core/quantize/quantize-onnx-file.js';

// The acceptance model: DistilBERT-QA-shaped, 66.36 M parameters, ≈265 MB fp32.
let dir: string;
let model: string;
let inputHash: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-qa-quant-'));
  model = join(dir, 'model.onnx');
  await generateQaModel(model);
  inputHash = createHash('sha256').update(readFileSync(model)).digest('hex');
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the 265 MB DistilBERT-QA-shaped model', () => {
  it('int8: ≤ 70 MB, runs in onnxruntime, start/end logits cosine ≥ 0.99 over 32 inputs at length 128', async () => {
    const r = await quantizeOnnxFile(model, { mode: 'int8', samples: 32, sequenceLength: 128 });
    expect(r.input.parameters).toBe(66_364_418);
    expect(r.output.bytes).toBeLessThanOrEqual(70_000_000);
    expect(r.nodesQuantized).toBe(6 * 6 + 1 + 1);
    expect(r.accuracy!.samples).toBe(32);
    for (const o of r.accuracy!.outputs) expect(o.cosine, o.name).toBeGreaterThanOrEqual(0.99);
    expect(r.rss.quantizedMB!).toBeLessThan(r.rss.originalMB!);
    expect(r.passed).toBe(true);
    // The scan's estimate agrees with what was written.
    const info = await inspectModel(model);
    expect(Math.abs(info.estimatedInt8Bytes - r.output.bytes) / r.output.bytes).toBeLessThan(0.01);
  }, 600_000);

  it('int4: ≤ 45 MB with cosine ≥ 0.98', async () => {
    const r = await quantizeOnnxFile(model, { mode: 'int4', samples: 32, sequenceLength: 128, minCosine: 0.98 });
    expect(r.output.bytes).toBeLessThanOrEqual(45_000_000);
    expect(r.accuracy!.cosine).toBeGreaterThanOrEqual(0.98);
    expect(r.passed).toBe(true);
  }, 600_000);

  it('never modified the input', () => {
    expect(createHash('sha256').update(readFileSync(model)).digest('hex')).toBe(inputHash);
  });
});
