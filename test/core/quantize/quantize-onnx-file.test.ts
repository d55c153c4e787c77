import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateQaModel } from '../../../src/core/demo/generate-qa-model.js';
import { InputError, UsageError } from '../../../src/core/errors.js';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import { readOnnxModel } from '../../../src/core/onnx/read-onnx-model.js';
import { writeOnnxModel } from '../../../src/core/onnx/write-onnx-model.js';
import type { ProgressEvent } from '../../../src/core/progress.js';
import { quantizeOnnxFile } from '../../../src/core/quantize/quantize-onnx-file.js';

let dir: string;
let qa: string;
const spec = { vocabSize: 1000, hidden: 64, layers: 2, heads: 4, ffn: 256, maxPositions: 128 };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-qfile-'));
  qa = join(dir, 'qa.onnx');
  await generateQaModel(qa, { spec, seed: 5 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('quantizeOnnxFile', () => {
  it('writes <name>.int8.onnx next to the input, measures both models and passes the gate', async () => {
    const before = sha(qa);
    const events: ProgressEvent[] = [];
    const r = await quantizeOnnxFile(qa, { samples: 8, sequenceLength: 32, onProgress: (e) => events.push(e) });
    expect(sha(qa)).toBe(before);
    expect(r.output.path).toBe(join(dir, 'qa.int8.onnx'));
    expect(r.output.bytes).toBe(readFileSync(r.output.path).length);
    expect(r.output.bytes).toBeLessThan(r.input.bytes * 0.4);
    expect(r.mode).toBe('int8');
    expect(r.nodesQuantized).toBe(2 * 6 + 1); // 6 linears per layer and the word embeddings; the 64×2 QA head is too small to pay
    expect(r.accuracy!.samples).toBe(8);
    expect(r.accuracy!.cosine).toBeGreaterThan(0.99);
    expect(r.accuracy!.outputs.map((o) => o.name)).toEqual(['start_logits', 'end_logits']);
    expect(r.accuracy!.top1Agreement).not.toBeNull();
    expect(r.latency.originalMs).toBeGreaterThan(0);
    expect(r.latency.quantizedMs).toBeGreaterThan(0);
    expect(r.latency.sequenceLength).toBe(32);
    expect(r.rss.originalMB).toBeGreaterThan(20);
    expect(r.rss.quantizedMB).toBeGreaterThan(20);
    expect(r.passed).toBe(true);
    expect(events.filter((e) => e.type === 'quantize:attempt')).toHaveLength(1);
    expect((await readOnnxModel(r.output.path)).graph!.node.some((n) => n.opType === 'MatMulInteger')).toBe(true);
  });

  it('fails the gate honestly when the threshold cannot be met, and still says by how much', async () => {
    const r = await quantizeOnnxFile(qa, { mode: 'int4', out: join(dir, 'strict.onnx'), samples: 4, sequenceLength: 16, minCosine: 0.999999 });
    expect(r.passed).toBe(false);
    expect(r.reasons[0]).toMatch(/cosine 0\.\d+ < 0\.999999/);
  });

  it('auto keeps the smallest variant that passes', async () => {
    const r = await quantizeOnnxFile(qa, { mode: 'auto', samples: 8, sequenceLength: 32, minCosine: 0.98 });
    expect(r.attempts.map((a) => a.variant)).toEqual(['int8', 'int4']);
    expect(r.variant).toBe('int4');
    expect(r.output.path).toBe(join(dir, 'qa.int4.onnx'));
    expect(r.output.bytes).toBe(Math.min(...r.attempts.filter((a) => a.passed).map((a) => a.bytes)));
    expect(readdirSync(dir).filter((f) => f.startsWith('.lambdafit-quantize-'))).toEqual([]);
  });

  it('auto falls back to mixed precision, ranking layers by SQNR, when int8 alone fails', async () => {
    const r = await quantizeOnnxFile(qa, { mode: 'auto', out: join(dir, 'mixed.onnx'), samples: 6, sequenceLength: 32, minCosine: 0.999999 });
    expect(r.sensitivity?.length).toBe(13);
    expect(r.sensitivity!.every((s) => Number.isFinite(s.sqnrDb) && s.sqnrDb > 10)).toBe(true);
    const mixed = r.attempts.filter((a) => a.variant === 'int8-mixed');
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed[0]!.excluded).toEqual([r.sensitivity![0]!.node]);
  });

  it('uses the inputs of an --inputs file', async () => {
    const inputs = join(dir, 'inputs.json');
    writeFileSync(inputs, JSON.stringify({ samples: [{ input_ids: [[101, 2, 3, 102]], attention_mask: [[1, 1, 1, 1]] }, { input_ids: [[101, 9, 102, 0]], attention_mask: [[1, 1, 1, 0]] }] }));
    const r = await quantizeOnnxFile(qa, { out: join(dir, 'with-inputs.onnx'), inputsFile: inputs });
    expect(r.gate.inputs).toBe(inputs);
    expect(r.accuracy!.samples).toBe(2);
  });

  it('never writes over the input', async () => {
    const before = sha(qa);
    await expect(quantizeOnnxFile(qa, { out: qa })).rejects.toThrow(UsageError);
    await expect(quantizeOnnxFile(qa, { out: join(dir, '.', 'qa.onnx') })).rejects.toThrow(/would overwrite the input/);
    expect(sha(qa)).toBe(before);
  });

  it('quantizes a model whose weights are external data', async () => {
    const model = await readOnnxModel(qa);
    const ext = join(dir, 'ext', 'qa-ext.onnx');
    (await import('node:fs')).mkdirSync(join(dir, 'ext'));
    await writeOnnxModel(model, ext, { externalData: true });
    const r = await quantizeOnnxFile(ext, { samples: 2, sequenceLength: 8 });
    expect(r.input.bytes).toBeGreaterThan(readFileSync(ext).length * 10);
    expect(r.passed).toBe(true);
  });
});

describe('bad models', () => {
  it('give one InputError each and are left untouched', async () => {
    const good = readFileSync(qa);
    const cases: Record<string, (path: string) => void> = {
      truncated: (p) => writeFileSync(p, good.subarray(0, good.length / 2)),
      'wrong magic': (p) => writeFileSync(p, Buffer.concat([Buffer.from('GGUF'), good.subarray(4, 100)])),
      'missing external data': () => undefined,
      'unsupported opset': (p) => {
        const mb = new ModelBuilder({ opset: 5 });
        mb.graph.input('x', DataType.FLOAT, [2]);
        mb.graph.node('Relu', ['x'], ['y']);
        mb.graph.output('y', DataType.FLOAT, [2]);
        return writeOnnxModel(mb.build(), p) as unknown as void;
      },
      'unsupported op': (p) => {
        const mb = new ModelBuilder({ opset: 17 });
        mb.graph.input('x', DataType.FLOAT, [2, 4]);
        mb.graph.node('FancyNewOp', ['x'], ['y']);
        mb.graph.output('y', DataType.FLOAT, [2, 4]);
        return writeOnnxModel(mb.build(), p) as unknown as void;
      },
    };
    const extDir = join(dir, 'ext-missing');
    (await import('node:fs')).mkdirSync(extDir);
    await writeOnnxModel(await readOnnxModel(qa), join(extDir, 'm.onnx'), { externalData: true });
    rmSync(join(extDir, 'm.onnx.data'));
    for (const [name, make] of Object.entries(cases)) {
      const path = name === 'missing external data' ? join(extDir, 'm.onnx') : join(dir, `bad-${name.replace(/ /g, '-')}.onnx`);
      await make(path);
      const before = sha(path);
      const err = await quantizeOnnxFile(path, { samples: 1, sequenceLength: 4 }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode, name).toBe(2);
      expect((err as Error).message, name).toContain(path.replace(/\.onnx$/, ''));
      expect(sha(path), name).toBe(before);
      expect(existsSync(path.replace(/\.onnx$/, '.int8.onnx')), name).toBe(false);
    }
  });

  it('names a directory or a missing path clearly', async () => {
    await expect(quantizeOnnxFile(dir)).rejects.toThrow(/is not a file/);
    await expect(quantizeOnnxFile(join(dir, 'absent.onnx'))).rejects.toThrow(/does not exist/);
  });
});
