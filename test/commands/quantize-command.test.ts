import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeCommand } from '../../src/commands/quantize-command.js';
import { generateQaModel } from '../../src/core/demo/generate-qa-model.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { captureIo } from '../helpers/capture-io.js';

let dir: string;
let model: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-qcmd-'));
  model = join(dir, 'qa.onnx');
  await generateQaModel(model, { spec: { vocabSize: 800, hidden: 64, layers: 1, heads: 4, ffn: 256, maxPositions: 64 } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const io = () => captureIo(dir);

describe('lambdafit quantize', () => {
  it('--json prints exactly the documented document on stdout, progress on stderr, exit 0 on pass', async () => {
    const s = io();
    const code = await quantizeCommand.run(['qa.onnx', '--json', '--samples', '4', '--seq-len', '16'], s);
    expect(code).toBe(0);
    const doc = JSON.parse(s.out());
    expect(Object.keys(doc)).toEqual(['input', 'output', 'mode', 'requestedMode', 'variant', 'nodesQuantized', 'excludedNodes', 'accuracy', 'latency', 'rss', 'gate', 'passed', 'reasons', 'notes', 'attempts', 'decisions']);
    expect(doc.input.bytes).toBe(readFileSync(model).length);
    expect(doc.output).toEqual({ path: join(dir, 'qa.int8.onnx'), bytes: readFileSync(join(dir, 'qa.int8.onnx')).length });
    expect(doc.mode).toBe('int8');
    expect(doc.nodesQuantized).toBe(7);
    expect(Object.keys(doc.accuracy)).toEqual(['cosine', 'minCosine', 'maxAbsDiff', 'relRmse', 'top1Agreement', 'samples', 'outputs']);
    expect(doc.accuracy.cosine).toBeGreaterThan(0.99);
    expect(typeof doc.latency.originalMs).toBe('number');
    expect(typeof doc.latency.quantizedMs).toBe('number');
    expect(typeof doc.rss.originalMB).toBe('number');
    expect(typeof doc.rss.quantizedMB).toBe('number');
    expect(doc.passed).toBe(true);
    expect(s.err()).toMatch(/Running the original model on 4 inputs/);
  });

  it('prints a readable summary and exits 1 when the gate fails', async () => {
    const s = io();
    const code = await quantizeCommand.run(['qa.onnx', '--mode', 'int4', '--out', 'strict.onnx', '--min-cosine', '0.9999999', '--samples', '2', '--seq-len', '8'], s);
    expect(code).toBe(1);
    expect(s.out()).toMatch(/→ .*strict\.onnx: .* int4/);
    expect(s.out()).toMatch(/Gate \(cosine ≥ 0\.9999999\): FAILED — start_logits cosine/);
  });

  it('takes the gate from a lambdafit.json models entry', async () => {
    writeFileSync(join(dir, 'lambdafit.json'), JSON.stringify({ models: [{ path: 'qa.onnx', modes: ['fp16'], minCosine: 0.95 }] }));
    const s = io();
    const code = await quantizeCommand.run(['qa.onnx', '--config', 'lambdafit.json', '--json', '--samples', '2', '--seq-len', '8'], s);
    const doc = JSON.parse(s.out());
    expect(code).toBe(0);
    expect(doc.mode).toBe('fp16');
    expect(doc.gate.minCosine).toBe(0.95);
    expect(doc.notes.join(' ')).toMatch(/disk only/);
  });

  it('exits 2 (UsageError/InputError) for bad usage and bad models', async () => {
    await expect(quantizeCommand.run([], io())).rejects.toThrow(UsageError);
    await expect(quantizeCommand.run(['qa.onnx', '--mode', 'int3'], io())).rejects.toThrow(/--mode must be one of int8, int4, fp16, auto/);
    await expect(quantizeCommand.run(['qa.onnx', '--min-cosine', '2'], io())).rejects.toThrow(/--min-cosine must be a number from 0 to 1/);
    await expect(quantizeCommand.run(['qa.onnx', '--out', 'qa.onnx'], io())).rejects.toThrow(/would overwrite the input/);
    writeFileSync(join(dir, 'broken.onnx'), readFileSync(model).subarray(0, 1000));
    const err = await quantizeCommand.run(['broken.onnx'], io()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/broken\.onnx is truncated/);
  });

  it('teaches in --help: modes, the inputs format, the JSON fields and the exit codes', () => {
    for (const text of ['int8', 'int4', 'fp16', 'auto', '--inputs FILE', '"samples"', 'accuracy.{cosine', 'Exit codes: 0 the gate passed, 1 it failed, 2']) {
      expect(quantizeCommand.help).toContain(text);
    }
  });
});
