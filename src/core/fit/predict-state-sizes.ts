import type { LambdafitConfig, Target } from '../config/config-schema.js';
import { limitSettings } from '../limits/limit-settings.js';
import { failedChecks, fitsTarget } from '../limits/fits-target.js';
import { measureLimits } from '../limits/measure-limits.js';
import { applyPlanToFiles } from '../plan/apply-plan-to-files.js';
import type { PlanStep, PredictedSizes } from '../plan/fit-plan.js';
import type { BundleIndex } from '../scan/bundle-index.js';
import { predictZipBytes } from '../scan/predict-zip-bytes.js';
import { DIRECT_UPLOAD_ZIP_BYTES } from './placement/build-layers-step.js';

/** Predicted sizes of a state plus the limits it misses. */
export interface StateSizes extends PredictedSizes {
  /** Limits of the target that the state does not meet, as one sentence each. */
  failed: string[];
}

/**
 * The deploy sizes of the bundle after plan steps, measured against the target's limits with the
 * function's settings: exact zip size (`predictZipBytes`) of the function package (moved files
 * out, generated loaders in), unzipped bytes with the configured and planned layers (which share
 * the 262,144,000 B budget), the bytes deps-to-tmp unpacks into /tmp, the environment with the
 * placements' variables, and for zip-direct each planned layer's zip against the direct-upload
 * limit. Pure.
 */
export function predictStateSizes(index: BundleIndex, steps: readonly PlanStep[], target: Target, config: LambdafitConfig): StateSizes {
  const applied = applyPlanToFiles(index.code.files, steps);
  const { files } = applied;
  const unzippedBytes = files.reduce((n, f) => n + (f.symlinkTarget !== undefined ? 0 : f.bytes), 0);
  const zippedBytes = predictZipBytes(files, index.code.emptyDirectories ?? []);
  let tmpUsedBytes: number | undefined;
  for (const s of steps) if (s.kind === 'placement' && s.strategy === 'deps-to-tmp') tmpUsedBytes = (tmpUsedBytes ?? 0) + s.moved.reduce((n, f) => n + f.bytes, 0);
  const settings = limitSettings(config);
  const environment = { ...(settings.environment ?? {}), ...applied.environment };
  const limits = measureLimits({
    code: { unzippedBytes, zippedBytes },
    layers: [...index.layers, ...applied.layers],
    target,
    ...settings,
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(tmpUsedBytes !== undefined ? { tmpUsedBytes } : {}),
  });
  const failed = failedChecks(limits, target).map((c) => describeCheck(c));
  if (target === 'zip-direct') {
    for (const l of applied.layers) {
      if (l.zippedBytes > DIRECT_UPLOAD_ZIP_BYTES) failed.push(`Layer ${l.name} zip, direct upload: ${l.zippedBytes.toLocaleString('en-US')} bytes used, limit ${DIRECT_UPLOAD_ZIP_BYTES.toLocaleString('en-US')}`);
    }
  }
  return {
    files: files.length,
    unzippedBytes,
    zippedBytes,
    fits: fitsTarget(limits, target) && failed.length === failedChecks(limits, target).length,
    failed,
  };
}

function describeCheck(c: ReturnType<typeof failedChecks>[number]): string {
  return `${c.description}: ${c.used.toLocaleString('en-US')} ${c.unit} used, limit ${c.limit.toLocaleString('en-US')}`;
}
