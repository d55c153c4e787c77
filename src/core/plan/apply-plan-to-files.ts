import type { FileEntry } from '../scan/bundle-index.js';
import type { PlanStep } from './fit-plan.js';

/** A file as `applyPlanToFiles` sees it: the scan's fields that the zip prediction needs. */
export type PlannedFile = Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'hash' | 'symlinkTarget'>;

/** What a plan does to a file list. */
export interface AppliedPlan<F extends PlannedFile> {
  /** Files that ship, in input order; quantized models carry their new size and hash. */
  files: F[];
  /** Paths removed by prune steps. */
  removed: string[];
  /** Paths whose content a quantize step replaced. */
  replaced: string[];
  /** Paths a prune step names that are not in the list (the plan was made for another tree). */
  missing: string[];
}

/**
 * Applies plan steps to a file list without touching any file: prune steps drop their files
 * (never a file a keep step protects), quantize steps give the model its quantized size, hash
 * and deflated size. Pure and exact: `predictZipBytes(result.files)` is the zip `export` writes.
 */
export function applyPlanToFiles<F extends PlannedFile>(files: readonly F[], steps: readonly PlanStep[]): AppliedPlan<F> {
  const kept = new Set<string>();
  for (const step of steps) if (step.kind === 'keep') for (const p of step.files) kept.add(p);
  const drop = new Set<string>();
  const replace = new Map<string, Extract<PlanStep, { kind: 'quantize' }>>();
  for (const step of steps) {
    if (step.kind === 'prune') for (const f of step.files) if (!kept.has(f.path)) drop.add(f.path);
    if (step.kind === 'quantize') replace.set(step.modelPath, step);
  }
  const present = new Set(files.map((f) => f.path));
  const out: F[] = [];
  for (const f of files) {
    if (drop.has(f.path)) continue;
    const q = replace.get(f.path);
    out.push(q ? { ...f, bytes: q.outputBytes, compressedBytes: q.outputCompressedBytes, hash: q.outputHash } : f);
  }
  return {
    files: out,
    removed: [...drop].filter((p) => present.has(p)).sort(),
    replaced: [...replace.keys()].filter((p) => present.has(p) && !drop.has(p)).sort(),
    missing: [...drop, ...replace.keys()].filter((p) => !present.has(p)).sort(),
  };
}
