import type { PlacementStep, PlannedLayer } from '../../plan/fit-plan.js';
import { predictZipBytes } from '../../scan/predict-zip-bytes.js';
import { esmNodePathPreloadSource } from './esm-node-path-hook.js';
import { LOADER_DIR, sha256Text, withPreload } from './placement-conventions.js';

/** Layers a function can attach (reference/lambda-facts.md §1). */
export const MAX_LAYERS = 5;
/** Largest zip Lambda accepts by direct upload, per function or layer zip. */
export const DIRECT_UPLOAD_ZIP_BYTES = 52_428_800;

/** A shipped file, as far as splitting needs. */
export interface LayerCandidateFile {
  path: string;
  bytes: number;
  compressedBytes?: number;
  symlinkTarget?: string;
}

/** Inputs of {@link buildLayersStep}. */
export interface LayersInput<F extends LayerCandidateFile> {
  /** The files that ship after earlier steps. */
  files: readonly F[];
  /** Layers the configuration already attaches (they count towards the 5). */
  configuredLayers: number;
  /** `NODE_OPTIONS` in force before this step. */
  nodeOptions: string | undefined;
  /** Largest zip per layer. @default DIRECT_UPLOAD_ZIP_BYTES */
  maxLayerZipBytes?: number;
}

/** The split, or why it cannot help. */
export type LayersResult = { step: PlacementStep; reason?: undefined } | { step?: undefined; reason: string };

const packageOf = (path: string): string => {
  const parts = path.split('/');
  return parts[1]?.startsWith('@') ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
};

/**
 * Splits a Node bundle's `node_modules` into at most 5 layers (the configured ones counted) in
 * the /opt layout (`nodejs/node_modules/…`, on NODE_PATH), whole packages only, packed largest
 * first into layers whose zips stay under the direct-upload limit. A generated preload lets ESM
 * imports search NODE_PATH too (Node's ESM resolver ignores it). Layers move bytes out of the
 * function zip but never out of the 262,144,000 B unzipped budget, which counts code and layers
 * together. Pure; returns the reason instead when no split fits.
 */
export function buildLayersStep<F extends LayerCandidateFile>(input: LayersInput<F>): LayersResult {
  const limit = input.maxLayerZipBytes ?? DIRECT_UPLOAD_ZIP_BYTES;
  const available = MAX_LAYERS - input.configuredLayers;
  if (available <= 0) return { reason: `the function already attaches ${input.configuredLayers} layers, Lambda's maximum is ${MAX_LAYERS}` };
  const deps = input.files.filter((f) => f.path.startsWith('node_modules/'));
  if (deps.length === 0) return { reason: 'the bundle has no node_modules to move into layers' };
  const packages = new Map<string, F[]>();
  for (const f of deps) {
    const key = packageOf(f.path);
    packages.set(key, [...(packages.get(key) ?? []), f]);
  }
  const toLayer = (f: F) => ({ ...f, path: `nodejs/${f.path}` });
  const zipOf = (files: F[]) => predictZipBytes(files.map(toLayer));
  const sized = [...packages.entries()].map(([name, files]) => ({ name, files, zip: zipOf(files) })).sort((a, b) => b.zip - a.zip || (a.name < b.name ? -1 : 1));
  const tooBig = sized.find((p) => p.zip > limit);
  if (tooBig) return { reason: `${tooBig.name} alone deflates to ${tooBig.zip.toLocaleString('en-US')} B, above the ${limit.toLocaleString('en-US')} B a layer zip may have` };
  const bins: F[][] = [];
  for (const p of sized) {
    const bin = bins.find((b) => zipOf([...b, ...p.files]) <= limit);
    if (bin) bin.push(...p.files);
    else bins.push([...p.files]);
  }
  if (bins.length > available) return { reason: `the dependencies need ${bins.length} layers of at most ${limit.toLocaleString('en-US')} B zipped, and only ${available} of Lambda's ${MAX_LAYERS} are free` };
  const layers: PlannedLayer[] = bins.map((files, i) => {
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
    return {
      name: `dependencies-${i + 1}`,
      files: sorted.map((f) => ({ from: f.path, to: `nodejs/${f.path}` })),
      unzippedBytes: sorted.reduce((n, f) => n + (f.symlinkTarget !== undefined ? 0 : f.bytes), 0),
      zippedBytes: zipOf(sorted),
    };
  });
  const loaderPath = `${LOADER_DIR}/esm-node-path.cjs`;
  const content = esmNodePathPreloadSource();
  return {
    step: {
      kind: 'placement',
      strategy: 'layers',
      description: `node_modules (${deps.length} files) moves into ${layers.length} layer${layers.length === 1 ? '' : 's'} at /opt/nodejs/node_modules; a generated preload lets ESM imports find them.`,
      moved: deps.map((f) => ({ path: f.path, bytes: f.bytes })),
      added: [{ path: loaderPath, content, hash: sha256Text(content) }],
      objects: [],
      layers,
      environment: { NODE_OPTIONS: withPreload(input.nodeOptions, loaderPath) },
    },
  };
}
