import type { PlacementStep, PlanFile } from '../../plan/fit-plan.js';
import { depsLoaderSource } from './deps-loader-source.js';
import { BUCKET_VARIABLE, LOADER_DIR, objectKey, sha256Text, withPreload } from './placement-conventions.js';

/** Folders of a Node bundle that the deps-to-tmp placement moves (module roots). */
export const NODE_MODULE_ROOTS = ['node_modules'];

/** A shipped file, as far as choosing dependencies needs. */
export interface ShippedFile {
  path: string;
  bytes: number;
}

/** The dependency files of a Node bundle: everything under a top-level `node_modules`, in path order. Pure. */
export function dependencyFiles<F extends ShippedFile>(files: readonly F[]): F[] {
  return files.filter((f) => NODE_MODULE_ROOTS.some((r) => f.path.startsWith(`${r}/`))).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Inputs of {@link buildDepsToTmpStep}. */
export interface DepsToTmpInput {
  /** The dependency files (`dependencyFiles`). */
  files: readonly PlanFile[];
  /** The deterministic zip of `files` (paths relative to the bundle root), as written. */
  zip: { bytes: number; hash: string };
  /** Bucket recorded in the plan. */
  bucket: string;
  /** `NODE_OPTIONS` in force before this step. */
  nodeOptions: string | undefined;
}

/**
 * The "dependencies unpacked into /tmp at init" placement (the seed's optimisation 2): the
 * dependency files leave the zip for one zip object; the generated preload (`depsLoaderSource`)
 * fetches and unpacks it into /tmp before the handler loads and adjusts the module paths. Pure.
 */
export function buildDepsToTmpStep(input: DepsToTmpInput): PlacementStep {
  const { bucket, zip } = input;
  const key = objectKey(zip.hash, 'dependencies.zip');
  const loaderPath = `${LOADER_DIR}/deps-to-tmp.cjs`;
  const content = depsLoaderSource({ bucket, key, hash: zip.hash, moduleRoots: NODE_MODULE_ROOTS });
  const bytes = input.files.reduce((n, f) => n + f.bytes, 0);
  return {
    kind: 'placement',
    strategy: 'deps-to-tmp',
    description: `${input.files.length} dependency files (${bytes} bytes) are fetched as one zip from s3://${bucket}/${key} and unpacked into /tmp at init by a generated preload; require() and import find them there.`,
    moved: input.files.map((f) => ({ path: f.path, bytes: f.bytes })),
    added: [{ path: loaderPath, content, hash: sha256Text(content) }],
    objects: [{ key, from: input.files.map((f) => f.path), format: 'zip', bytes: zip.bytes, hash: zip.hash }],
    layers: [],
    environment: { NODE_OPTIONS: withPreload(input.nodeOptions, loaderPath), [BUCKET_VARIABLE]: bucket },
  };
}
