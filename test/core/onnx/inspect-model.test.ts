import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQaModel } from '../../../src/core/demo/generate-qa-model.js';
import { qaModelParameterCount } from '../../../src/core/demo/qa-model-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { inspectModel } from '../../../src/core/onnx/inspect-model.js';
import { readOnnxModel } from '../../../src/core/onnx/read-onnx-model.js';
import { writeOnnxModel } from '../../../src/core/onnx/write-onnx-model.js';
import { quantizeModel } from '../../../src/core/quantize/quantize-model.js';
import { serializeOnnxModel } from '../../../src/core/onnx/encode-onnx-model.js';

let dir: string;
const spec = { vocabSize: 2000, hidden: 64, layers: 2, heads: 4, ffn: 256, maxPositions: 64 };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-inspect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectModel', () => {
  it('reports parameters, opset, producer and what quantization would save, without onnxruntime', async () => {
    const path = join(dir, 'qa.onnx');
    const { bytes } = await generateQaModel(path, { spec });
    const info = await inspectModel(path);
    expect(info).toMatchObject({ format: 'onnx', irVersion: 8, opset: 17, producer: 'lambdafit', bytes, externalData: false, inputs: ['input_ids', 'attention_mask'], outputs: ['start_logits', 'end_logits'] });
    expect(info.parameters).toBe(qaModelParameterCount(spec));
    expect(info.ops.MatMul).toBe(2 * 8 + 1);
    // Quantizable: the 12 linear weights and the word embeddings (fp32 bytes).
    expect(info.quantizableBytes).toBe(4 * (2 * (4 * 64 * 64 + 2 * 64 * 256) + 2000 * 64));
    // The int8 estimate is close to what the quantizer really writes.
    const real = serializeOnnxModel(quantizeModel(await readOnnxModel(path), { mode: 'int8' }).model).length;
    expect(Math.abs(info.estimatedInt8Bytes - real) / real).toBeLessThan(0.03);
    expect(info.estimatedInt4Bytes).toBeLessThan(info.estimatedInt8Bytes);
    expect(info.estimatedFp16Bytes).toBeLessThan(bytes * 0.55);
  });

  it('counts external data in the size without reading it, and takes a Buffer too', async () => {
    const path = join(dir, 'qa.onnx');
    const ext = join(dir, 'ext.onnx');
    await writeOnnxModel(await readOnnxModel(path), ext, { externalData: true });
    const a = await inspectModel(path);
    const b = await inspectModel(ext);
    expect(b.externalData).toBe(true);
    expect(b.parameters).toBe(a.parameters);
    expect(b.bytes).toBeGreaterThan(a.bytes); // alignment padding in the data file
    expect(b.quantizableBytes).toBe(a.quantizableBytes);
    const fromBuffer = await inspectModel((await import('node:fs')).readFileSync(path));
    expect(fromBuffer.parameters).toBe(a.parameters);
  });

  it('throws InputError for a file that is not ONNX', async () => {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'PK\x03\x04 not really');
    await expect(inspectModel(bad)).rejects.toThrow(InputError);
  });
});
