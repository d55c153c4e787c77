import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModels } from '../../../src/core/analyze/inspect-models.js';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import { writeOnnxModel } from '../../../src/core/onnx/write-onnx-model.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'lambdafit-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspectModels', () => {
  it('parses a model once and takes its facts from the cache, by content hash, afterwards', async () => {
    const bundle = join(dir, 'bundle');
    const cacheDir = join(dir, 'cache');
    mkdirSync(bundle);
    const mb = new ModelBuilder({ opset: 17 });
    mb.graph.input('x', DataType.FLOAT, [1, 4]);
    mb.graph.node('Relu', ['x'], ['y']);
    mb.graph.output('y', DataType.FLOAT, [1, 4]);
    await writeOnnxModel(mb.build(), join(bundle, 'model.onnx'));
    writeFileSync(join(bundle, 'index.js'), 'exports.handler = async () => 1;');

    const first = await scanBundle({ path: bundle, cacheDir });
    await inspectModels(first.code, [], cacheDir);
    const facts = first.code.files.find((f) => f.path === 'model.onnx')?.model;
    expect(facts).toMatchObject({ format: 'onnx', opset: 17, parameters: 0 });

    // Mark the cached entry: a second inspection that reports the mark read the cache, not the model.
    const file = join(cacheDir, 'scan', 'models.json');
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    const hash = first.code.files.find((f) => f.path === 'model.onnx')?.hash as string;
    expect(Object.keys(cached.models)).toEqual([hash]);
    cached.models[hash].producer = 'from-the-cache';
    writeFileSync(file, JSON.stringify(cached));
    const again = await scanBundle({ path: bundle, cacheDir });
    await inspectModels(again.code, [], cacheDir);
    expect(again.code.files.find((f) => f.path === 'model.onnx')?.model).toMatchObject({ format: 'onnx', opset: 17, producer: 'from-the-cache' });

    // Without a cache the model is parsed again.
    const fresh = await scanBundle({ path: bundle, cacheDir: false });
    await inspectModels(fresh.code, [], false);
    expect(fresh.code.files.find((f) => f.path === 'model.onnx')?.model?.producer).not.toBe('from-the-cache');
  });
});
