import type { LambdafitConfig } from '../../../src/core/config/config-schema.js';
import { predictStateSizes } from '../../../src/core/fit/predict-state-sizes.js';
import { FIT_PLAN_VERSION, type FitPlan, type PlanStep, type StateMeasurement } from '../../../src/core/plan/fit-plan.js';
import { hashFileTree } from '../../../src/core/plan/hash-file-tree.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';

const measured: StateMeasurement = { passed: true, initDurationMs: 50, coldDurationMs: 5, warmDurationMs: 2, maxMemoryUsedMB: 60, invocations: 3, mismatches: [] };

/**
 * A plan for `bundle` with the given steps, as `fit` would write it but without running the
 * sandbox: the tree hash and the predicted sizes are the real ones, the measurements are made up.
 */
export async function planFor(bundle: string, steps: PlanStep[], extra: Partial<FitPlan> = {}, config: LambdafitConfig = {}): Promise<FitPlan> {
  const index = await scanBundle({ path: bundle, cacheDir: false });
  const target = extra.target ?? 'zip-s3';
  const { failed: _a, ...inputSizes } = predictStateSizes(index, [], target, config);
  const { failed: _b, ...predicted } = predictStateSizes(index, steps, target, config);
  return {
    format: 'lambdafit-fit-plan',
    version: FIT_PLAN_VERSION,
    createdAt: '2026-01-01T00:00:00.000Z',
    input: { path: bundle, treeHash: hashFileTree(index.code.files), sizes: inputSizes },
    target,
    arch: 'x86_64',
    memorySize: 256,
    function: { runtime: 'nodejs20.x', handler: 'index.handler' },
    events: [],
    steps,
    predicted,
    verification: { baseline: measured, final: measured },
    alternatives: [],
    chosen: 'pruned',
    explanation: [],
    ...extra,
  };
}
