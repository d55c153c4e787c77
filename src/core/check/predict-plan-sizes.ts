import { applyPlanToFiles } from '../plan/apply-plan-to-files.js';
import type { FitPlan } from '../plan/fit-plan.js';
import type { RemovedFile } from '../rules/candidate.js';
import type { BundleIndex } from '../scan/bundle-index.js';
import { predictZipBytes } from '../scan/predict-zip-bytes.js';

/** The function package and what else a plan deploys, predicted from the scan without disk. */
export interface PlanSizes {
  /** Files in the function package. */
  files: number;
  unzippedBytes: number;
  /** Exact size of the zip lambdafit writes. */
  zippedBytes: number;
  /** Unzipped sizes of every layer: the configured ones, then the plan's. */
  layers: { label: string; unzippedBytes: number }[];
  /** Bytes the plan unpacks into /tmp at init (deps-to-tmp), when it does. */
  tmpUsedBytes?: number;
  /** Files the plan removes or moves out of the package, with the step that did it. */
  removed: RemovedFile[];
  /** Paths the plan names that this tree does not have (the plan was made for another tree). */
  missing: string[];
}

/**
 * Predicts the deploy sizes of a plan applied to a scanned bundle, without disk: what ships is
 * `applyPlanToFiles`'s list (pruned and moved files gone, quantized models at their new size,
 * generated loaders added), the layers are the configured ones plus the plan's, and a deps-to-tmp
 * placement's moved bytes are what init unpacks into /tmp. Pure.
 */
export function predictPlanSizes(index: BundleIndex, plan: FitPlan): PlanSizes {
  const applied = applyPlanToFiles(index.code.files, plan.steps);
  const layers = [
    ...index.layers.map((l, i) => ({ label: `layer ${i + 1}`, unzippedBytes: l.unzippedBytes })),
    ...applied.layers.map((l) => ({ label: `layer ${l.name}`, unzippedBytes: l.unzippedBytes })),
  ];
  const byPath = new Map(index.code.files.map((f) => [f.path, f]));
  const dropped = new Set(applied.removed);
  const removed: RemovedFile[] = [];
  let tmpUsedBytes: number | undefined;
  for (const step of plan.steps) {
    if (step.kind === 'prune') {
      for (const f of step.files) {
        if (dropped.has(f.path)) removed.push({ path: f.path, bytes: f.bytes, ...compressed(byPath.get(f.path)), ruleId: step.ruleId, ruleSet: step.ruleSet, risk: step.risk, reason: step.description });
      }
    }
    if (step.kind === 'placement') {
      for (const m of step.moved) {
        const f = byPath.get(m.path);
        if (f) removed.push({ path: m.path, bytes: f.bytes, ...compressed(f), ruleId: `placement:${step.strategy}`, ruleSet: 'plan', risk: 'safe', reason: step.description });
      }
      if (step.strategy === 'deps-to-tmp') tmpUsedBytes = (tmpUsedBytes ?? 0) + step.moved.reduce((n, f) => n + f.bytes, 0);
    }
  }
  const files = applied.files;
  return {
    files: files.length,
    unzippedBytes: files.reduce((n, f) => n + (f.symlinkTarget !== undefined ? 0 : f.bytes), 0),
    zippedBytes: predictZipBytes(files, index.code.emptyDirectories ?? []),
    layers,
    ...(tmpUsedBytes !== undefined ? { tmpUsedBytes } : {}),
    removed,
    missing: applied.missing,
  };
}

function compressed(f: { compressedBytes?: number } | undefined): { compressedBytes?: number } {
  return f?.compressedBytes !== undefined ? { compressedBytes: f.compressedBytes } : {};
}
