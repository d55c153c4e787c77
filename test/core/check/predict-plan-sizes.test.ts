import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZIP_DEFLATE_OPTIONS } from '../../../src/core/archive/zip-deflate.js';
import { predictPlanSizes } from '../../../src/core/check/predict-plan-sizes.js';
import type { FitPlan, PlanStep } from '../../../src/core/plan/fit-plan.js';
import type { BundleIndex, FileEntry } from '../../../src/core/scan/bundle-index.js';
import { predictZipBytes } from '../../../src/core/scan/predict-zip-bytes.js';

const file = (path: string, bytes: number, compressedBytes: number): FileEntry => ({ path, bytes, compressedBytes, kind: 'other', mode: 0o644, hash: '0'.repeat(64) });
const files = [file('index.js', 100, 60), file('node_modules/d/README.md', 50, 30), file('node_modules/d/index.js', 400, 200), file('model/m.onnx', 1000, 900)];
const index: BundleIndex = {
  code: { source: '/b', sourceType: 'folder', files, unzippedBytes: 1550, zippedBytes: predictZipBytes(files) },
  layers: [{ source: '/l', sourceType: 'folder', files: [], unzippedBytes: 7000, zippedBytes: 22 }],
  duplicates: [],
  warnings: [],
};

function plan(steps: PlanStep[]): FitPlan {
  const sizes = { files: 0, unzippedBytes: 0, zippedBytes: 0, fits: true };
  const m = { passed: true, initDurationMs: 1, coldDurationMs: 1, warmDurationMs: 1, maxMemoryUsedMB: 1, invocations: 1, mismatches: [] };
  return {
    format: 'lambdafit-fit-plan', version: 1, createdAt: '', input: { path: '/b', treeHash: '0'.repeat(64), sizes }, target: 'zip-s3', arch: 'x86_64', memorySize: 128,
    function: { runtime: 'nodejs20.x', handler: 'index.handler' }, events: [], steps, predicted: sizes, verification: { baseline: m, final: m }, alternatives: [], chosen: null, explanation: [],
  };
}

describe('predictPlanSizes', () => {
  it('applies prune steps and placements: moved files leave, loaders join, layers and /tmp count', () => {
    const loader = '// loader\n'.repeat(10);
    const sizes = predictPlanSizes(
      index,
      plan([
        { kind: 'prune', ruleId: 'docs', ruleSet: 'node-safe', risk: 'safe', description: 'READMEs', files: [{ path: 'node_modules/d/README.md', bytes: 50 }], bytes: 50 },
        {
          kind: 'placement', strategy: 'model-from-s3', description: 'model from S3', moved: [{ path: 'model/m.onnx', bytes: 1000 }],
          added: [{ path: 'lambdafit/model-fetch.cjs', content: loader, hash: '1'.repeat(64) }], objects: [], layers: [], environment: { NODE_OPTIONS: '--require x' },
        },
        {
          kind: 'placement', strategy: 'deps-to-tmp', description: 'deps to /tmp', moved: [{ path: 'node_modules/d/index.js', bytes: 400 }], added: [], objects: [],
          layers: [{ name: 'extra', files: [], unzippedBytes: 300, zippedBytes: 100 }], environment: {},
        },
      ]),
    );
    const loaderZipBytes = deflateRawSync(Buffer.from(loader), ZIP_DEFLATE_OPTIONS).length;
    const shipped = [files[0]!, { path: 'lambdafit/model-fetch.cjs', bytes: loader.length, compressedBytes: loaderZipBytes }];
    expect(sizes).toMatchObject({ files: 2, unzippedBytes: 100 + loader.length, zippedBytes: predictZipBytes(shipped), tmpUsedBytes: 400, missing: [] });
    expect(sizes.layers).toEqual([{ label: 'layer 1', unzippedBytes: 7000 }, { label: 'layer extra', unzippedBytes: 300 }]);
    expect(sizes.removed.map((r) => [r.path, r.ruleId])).toEqual([
      ['node_modules/d/README.md', 'docs'],
      ['model/m.onnx', 'placement:model-from-s3'],
      ['node_modules/d/index.js', 'placement:deps-to-tmp'],
    ]);
  });

  it('lists the paths a plan names that the tree does not have', () => {
    const sizes = predictPlanSizes(index, plan([{ kind: 'prune', ruleId: 'x', ruleSet: 's', risk: 'safe', description: 'd', files: [{ path: 'gone.js', bytes: 1 }], bytes: 1 }]));
    expect(sizes.missing).toEqual(['gone.js']);
    expect(sizes.files).toBe(4);
    expect(sizes.zippedBytes).toBe(index.code.zippedBytes);
  });
});
