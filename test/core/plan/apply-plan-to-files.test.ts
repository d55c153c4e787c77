import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../src/core/archive/write-zip.js';
import { applyPlanToFiles } from '../../../src/core/plan/apply-plan-to-files.js';
import type { PlanStep } from '../../../src/core/plan/fit-plan.js';
import { predictZipBytes } from '../../../src/core/scan/predict-zip-bytes.js';

const files = [
  { path: 'index.js', bytes: 100, compressedBytes: 60, hash: 'a'.repeat(64) },
  { path: 'node_modules/p/README.md', bytes: 50, compressedBytes: 30, hash: 'b'.repeat(64) },
  { path: 'node_modules/p/lib/a.js', bytes: 40, compressedBytes: 20, hash: 'c'.repeat(64) },
  { path: 'node_modules/p/lib/b.js', bytes: 40, compressedBytes: 20, hash: 'd'.repeat(64) },
  { path: 'model/m.onnx', bytes: 1000, compressedBytes: 900, hash: 'e'.repeat(64) },
];

const steps: PlanStep[] = [
  { kind: 'prune', ruleId: 'docs', ruleSet: 'node-safe', risk: 'safe', description: 'docs', files: [{ path: 'node_modules/p/README.md', bytes: 50 }], bytes: 50 },
  { kind: 'prune', ruleId: 'lib', ruleSet: 'x', risk: 'safe', description: 'lib', files: [{ path: 'node_modules/p/lib/b.js', bytes: 40 }, { path: 'node_modules/p/lib/a.js', bytes: 40 }], bytes: 80 },
  { kind: 'keep', ruleId: 'lib', ruleSet: 'x', files: ['node_modules/p/lib/a.js'], evidence: { tests: 2, failure: 'Runtime.ImportModuleError', mismatches: [] } },
  {
    kind: 'quantize',
    modelPath: 'model/m.onnx',
    mode: 'int8',
    variant: 'int8',
    inputBytes: 1000,
    outputBytes: 260,
    outputCompressedBytes: 240,
    outputHash: 'f'.repeat(64),
    accuracy: { cosine: 0.999, top1Agreement: 1, minCosine: 0.99, passed: true },
  },
];

describe('applyPlanToFiles', () => {
  it('removes pruned files, protects kept ones and replaces quantized models', () => {
    const r = applyPlanToFiles(files, steps);
    expect(r.files.map((f) => f.path)).toEqual(['index.js', 'node_modules/p/lib/a.js', 'model/m.onnx']);
    expect(r.removed).toEqual(['node_modules/p/README.md', 'node_modules/p/lib/b.js']);
    expect(r.replaced).toEqual(['model/m.onnx']);
    expect(r.files[2]).toMatchObject({ bytes: 260, compressedBytes: 240, hash: 'f'.repeat(64) });
    expect(r.missing).toEqual([]);
  });

  it('predicts the same zip as the shipped list written out by hand', () => {
    const r = applyPlanToFiles(files, steps);
    const byHand = [files[0]!, files[2]!, { ...files[4]!, bytes: 260, compressedBytes: 240 }];
    expect(predictZipBytes(r.files)).toBe(predictZipBytes(byHand));
    expect(predictZipBytes(r.files)).toBeLessThan(predictZipBytes(files));
  });

  it('reports paths the plan names that the tree lacks, and does not mutate its input', () => {
    const copy = structuredClone(files);
    const r = applyPlanToFiles(files.slice(0, 2), steps);
    expect(r.missing).toContain('model/m.onnx');
    expect(r.missing).toContain('node_modules/p/lib/b.js');
    expect(files).toEqual(copy);
  });
});

describe('applyPlanToFiles with placements', () => {
  const loader = "// generated\n'use strict';\nrequire('node:path');\n".repeat(20);
  const placement: PlanStep = {
    kind: 'placement',
    strategy: 'model-from-s3',
    description: 'model to S3',
    moved: [{ path: 'model/m.onnx', bytes: 260 }],
    added: [{ path: 'lambdafit/model-fetch.cjs', content: loader, hash: createHash('sha256').update(loader).digest('hex') }],
    objects: [{ key: 'lambdafit/ffff/m.onnx', from: ['model/m.onnx'], format: 'file', bytes: 260, hash: 'f'.repeat(64) }],
    layers: [],
    environment: { NODE_OPTIONS: '--require /var/task/lambdafit/model-fetch.cjs', LAMBDAFIT_BUCKET: 'b' },
  };

  it('moves files out, adds the loaders and returns the objects and environment', () => {
    const r = applyPlanToFiles(files, [...steps, placement]);
    expect(r.files.map((f) => f.path)).toEqual(['index.js', 'node_modules/p/lib/a.js', 'lambdafit/model-fetch.cjs']);
    expect(r.moved).toEqual(['model/m.onnx']);
    expect(r.replaced).toEqual(['model/m.onnx']); // the object carries the quantized bytes
    expect(r.objects).toEqual(placement.objects);
    expect(r.environment).toEqual(placement.environment);
    expect(r.added[0]).toMatchObject({ path: 'lambdafit/model-fetch.cjs', bytes: Buffer.byteLength(loader) });
    expect(r.added[0]!.compressedBytes).toBeLessThan(Buffer.byteLength(loader));
  });

  it("predicts the added loader's zip bytes exactly as writeZip writes them", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-apply-'));
    try {
      const r = applyPlanToFiles([], [placement]);
      const out = join(dir, 'x.zip');
      const written = await writeZip([{ path: 'lambdafit/model-fetch.cjs', type: 'file', mode: 0o644, size: Buffer.byteLength(loader), readAll: async () => Buffer.from(loader) }], out);
      expect(predictZipBytes(r.files)).toBe(written.bytes);
      expect((await stat(out)).size).toBe(written.bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
