import { describe, expect, it } from 'vitest';
import { formatFitReport } from '../../src/commands/format-fit-report.js';
import type { FitPlan, StateMeasurement } from '../../src/core/plan/fit-plan.js';

const m = (init: number, memory: number, passed = true): StateMeasurement => ({ passed, initDurationMs: init, coldDurationMs: 10, warmDurationMs: 4, maxMemoryUsedMB: memory, invocations: 3, mismatches: [], ...(passed ? {} : { error: 'x' }) });
const MiB = 1048576;

function plan(chosen: string | null): FitPlan {
  return {
    format: 'lambdafit-fit-plan',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    input: { path: '/b', treeHash: 'a'.repeat(64), sizes: { files: 700, unzippedBytes: 540 * MiB, zippedBytes: 340 * MiB, fits: false } },
    target: 'zip-s3',
    arch: 'x86_64',
    memorySize: 3008,
    function: { runtime: 'nodejs20.x', handler: 'index.handler' },
    events: ['q.json'],
    steps: [
      { kind: 'prune', ruleId: 'onnxruntime-node-foreign', ruleSet: 'native-foreign', risk: 'safe', description: '', files: [{ path: 'a.dylib', bytes: 240 * MiB }], bytes: 240 * MiB },
      { kind: 'keep', ruleId: 'lib', ruleSet: 'mine', files: ['node_modules/p/lib/index.js'], evidence: { tests: 1, failure: 'Runtime.ImportModuleError: Cannot find module', mismatches: [] } },
      { kind: 'quantize', modelPath: 'model/model.onnx', mode: 'int8', variant: 'int8', inputBytes: 253 * MiB, outputBytes: 65 * MiB, outputCompressedBytes: 60 * MiB, outputHash: 'b'.repeat(64), accuracy: { cosine: 0.9995, top1Agreement: 1, minCosine: 0.99, passed: true } },
    ],
    predicted: { files: 190, unzippedBytes: 110 * MiB, zippedBytes: 72 * MiB, fits: true },
    verification: { baseline: m(1072, 423), final: m(563, 168) },
    alternatives: [
      { id: 'baseline', label: 'unmodified bundle', includes: [], sizes: { files: 700, unzippedBytes: 540 * MiB, zippedBytes: 340 * MiB, fits: false }, measured: m(1072, 423), accuracyCosine: null, rejected: ['does not fit zip-s3'] },
      { id: 'int8', label: 'pruned + int8 model/model.onnx', includes: [], sizes: { files: 190, unzippedBytes: 110 * MiB, zippedBytes: 72 * MiB, fits: true }, measured: m(563, 168), accuracyCosine: 0.9995, rejected: [] },
    ],
    chosen,
    explanation: ['Chose "pruned + int8 model/model.onnx".'],
  };
}

describe('formatFitReport', () => {
  it('shows the verdict, the steps with the learned keep-list, and the table of measured alternatives', () => {
    const text = formatFitReport(plan('int8'), { verifications: 6, elapsedMs: 150_000 });
    expect(text.split('\n')[0]).toBe('FITS zip-s3: /b');
    expect(text).toContain('340.0 MB zipped / 540.0 MB unzipped → 72.0 MB / 110.0 MB');
    expect(text).toMatch(/prune {5}native-foreign\/onnxruntime-node-foreign \(safe\): 1 files, 240\.0 MB/);
    expect(text).toMatch(/keep {6}mine\/lib broke the function \(Runtime\.ImportModuleError: Cannot find module\); bisection kept 1 file:\n {14}node_modules\/p\/lib\/index\.js/);
    expect(text).toMatch(/quantize {2}model\/model\.onnx → int8: 253\.0 MB → 65\.0 MB, cosine 0\.99950/);
    const table = text.split('\n').filter((l) => /^ {2}(state|unmodified|pruned)/.test(l));
    expect(table).toHaveLength(3);
    expect(table[1]).toMatch(/unmodified bundle .*340\.0 MB .*1\.07 s .*423 MB .*too big/);
    expect(table[2]).toMatch(/pruned \+ int8 .*72\.0 MB .*563 ms .*168 MB .*0\.9995 .*chosen/);
    expect(text).toContain('6 sandbox verifications in 150.0 s.');
  });

  it('lists a placement with its object, loader and environment, and shows /tmp in the table', () => {
    const p = plan('deps');
    p.steps.push({
      kind: 'placement',
      strategy: 'deps-to-tmp',
      description: 'node_modules to /tmp.',
      moved: [{ path: 'node_modules/a/index.js', bytes: 10 }],
      added: [{ path: 'lambdafit/deps-to-tmp.cjs', content: 'x', hash: 'c'.repeat(64) }],
      objects: [{ key: 'lambdafit/cccc/dependencies.zip', from: ['node_modules/a/index.js'], format: 'zip', bytes: 2 * MiB, hash: 'c'.repeat(64) }],
      layers: [],
      environment: { NODE_OPTIONS: '--require /var/task/lambdafit/deps-to-tmp.cjs', LAMBDAFIT_BUCKET: 'lambdafit-fn' },
    });
    p.alternatives.push({ id: 'deps', label: 'pruned + dependencies to /tmp', includes: [], sizes: { files: 3, unzippedBytes: 70 * MiB, zippedBytes: 60 * MiB, fits: true }, measured: { ...m(1500, 300), tmpPeakBytes: 44 * MiB }, accuracyCosine: 0.9995, rejected: [] });
    const text = formatFitReport(p, { verifications: 7, elapsedMs: 1000 });
    expect(text).toMatch(/place {5}deps-to-tmp: node_modules to \/tmp\.\n {14}object lambdafit\/cccc\/dependencies\.zip \(zip, 2\.0 MB\) from node_modules\/a\/index\.js\n {14}adds lambdafit\/deps-to-tmp\.cjs/);
    expect(text).toContain('env LAMBDAFIT_BUCKET=lambdafit-fn');
    expect(text).toMatch(/pruned \+ dependencies to \/tmp .*1\.50 s .*300 MB +44\.0 MB .*chosen/);
  });

  it('says DOES NOT FIT when nothing was chosen', () => {
    expect(formatFitReport(plan(null), { verifications: 1, elapsedMs: 10 }).split('\n')[0]).toBe('DOES NOT FIT zip-s3: /b');
  });
});
