import type { LambdafitConfig, Target } from '../config/config-schema.js';
import { limitSettings } from '../limits/limit-settings.js';
import { failedChecks, fitsTarget } from '../limits/fits-target.js';
import { measureLimits } from '../limits/measure-limits.js';
import { applyPlanToFiles } from '../plan/apply-plan-to-files.js';
import type { PlanStep, PredictedSizes } from '../plan/fit-plan.js';
import type { BundleIndex } from '../scan/bundle-index.js';
import { predictZipBytes } from '../scan/predict-zip-bytes.js';

/** Predicted sizes of a state plus the limits it misses. */
export interface StateSizes extends PredictedSizes {
  /** Limits of the target that the state does not meet, as one sentence each. */
  failed: string[];
}

/**
 * The deploy sizes of the bundle after plan steps, measured against the target's limits with the
 * function's settings: exact zip size (`predictZipBytes`) and unzipped bytes with the layers. Pure.
 */
export function predictStateSizes(index: BundleIndex, steps: readonly PlanStep[], target: Target, config: LambdafitConfig): StateSizes {
  const { files } = applyPlanToFiles(index.code.files, steps);
  const unzippedBytes = files.reduce((n, f) => n + (f.symlinkTarget !== undefined ? 0 : f.bytes), 0);
  const zippedBytes = predictZipBytes(files, index.code.emptyDirectories ?? []);
  const limits = measureLimits({
    code: { unzippedBytes, zippedBytes },
    layers: index.layers,
    target,
    ...limitSettings(config),
  });
  return {
    files: files.length,
    unzippedBytes,
    zippedBytes,
    fits: fitsTarget(limits, target),
    failed: failedChecks(limits, target).map((c) => describeCheck(c)),
  };
}

function describeCheck(c: ReturnType<typeof failedChecks>[number]): string {
  return `${c.description}: ${c.used.toLocaleString('en-US')} ${c.unit} used, limit ${c.limit.toLocaleString('en-US')}`;
}
