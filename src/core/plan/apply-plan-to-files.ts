import { deflatedBytesSync, zipDataBytes } from '../archive/zip-deflate.js';
import type { FileEntry } from '../scan/bundle-index.js';
import type { ExternalObject, PlannedLayer, PlanStep } from './fit-plan.js';

/** A file as `applyPlanToFiles` sees it: the scan's fields that the zip prediction needs. */
export type PlannedFile = Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'hash' | 'symlinkTarget'>;

/** What a plan does to a file list. */
export interface AppliedPlan<F extends PlannedFile> {
  /**
   * Files that ship in the function package: the input's in input order (quantized models carry
   * their new size and hash; pruned and moved files are gone), then the generated files that
   * placements add, with their exact zip data size.
   */
  files: (F | PlannedFile)[];
  /** Paths removed by prune steps. */
  removed: string[];
  /** Paths whose content a quantize step replaced. */
  replaced: string[];
  /** Paths a placement moved out of the package (into objects or layers). */
  moved: string[];
  /** Generated files placements add (also at the end of `files`). */
  added: PlannedFile[];
  /** Objects to upload, from every placement step, in step order. */
  objects: ExternalObject[];
  /** Layers the placements create, in step order (configured layers are not included). */
  layers: PlannedLayer[];
  /** Environment variables the placements set, later steps over earlier ones. */
  environment: Record<string, string>;
  /** Paths a step names that are not in the list (the plan was made for another tree). */
  missing: string[];
}

/** Bytes a generated file takes in lambdafit's zip, exactly as the writer compresses it. */
function addedZipBytes(content: Buffer): number {
  return zipDataBytes(content.length, deflatedBytesSync(content));
}

/**
 * Applies plan steps to a file list without touching any file: prune steps drop their files
 * (never a file a keep step protects), quantize steps give the model its quantized size, hash
 * and deflated size, placements move files out and add their generated loaders. Pure and exact:
 * `predictZipBytes(result.files)` is the zip `export` writes.
 */
export function applyPlanToFiles<F extends PlannedFile>(files: readonly F[], steps: readonly PlanStep[]): AppliedPlan<F> {
  const kept = new Set<string>();
  for (const step of steps) if (step.kind === 'keep') for (const p of step.files) kept.add(p);
  const drop = new Set<string>();
  const moved = new Set<string>();
  const replace = new Map<string, Extract<PlanStep, { kind: 'quantize' }>>();
  const added = new Map<string, PlannedFile>();
  const objects: ExternalObject[] = [];
  const layers: PlannedLayer[] = [];
  let environment: Record<string, string> = {};
  for (const step of steps) {
    if (step.kind === 'prune') for (const f of step.files) if (!kept.has(f.path)) drop.add(f.path);
    if (step.kind === 'quantize') replace.set(step.modelPath, step);
    if (step.kind === 'placement') {
      for (const f of step.moved) moved.add(f.path);
      for (const a of step.added) {
        const content = Buffer.from(a.content, 'utf8');
        added.set(a.path, { path: a.path, bytes: content.length, compressedBytes: addedZipBytes(content), hash: a.hash });
      }
      objects.push(...step.objects);
      layers.push(...step.layers);
      environment = { ...environment, ...step.environment };
    }
  }
  const present = new Set(files.map((f) => f.path));
  const out: (F | PlannedFile)[] = [];
  for (const f of files) {
    if (drop.has(f.path) || moved.has(f.path) || added.has(f.path)) continue;
    const q = replace.get(f.path);
    out.push(q ? { ...f, bytes: q.outputBytes, compressedBytes: q.outputCompressedBytes, hash: q.outputHash } : f);
  }
  out.push(...added.values());
  return {
    files: out,
    removed: [...drop].filter((p) => present.has(p)).sort(),
    replaced: [...replace.keys()].filter((p) => present.has(p) && !drop.has(p)).sort(),
    moved: [...moved].filter((p) => present.has(p)).sort(),
    added: [...added.values()],
    objects,
    layers,
    environment,
    missing: [...drop, ...replace.keys(), ...moved].filter((p) => !present.has(p)).sort(),
  };
}
