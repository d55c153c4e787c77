import { join } from 'node:path';
import type { LambdafitConfig, Target } from '../../config/config-schema.js';
import type { FunctionConfig } from '../../config/resolve-function-config.js';
import { applyPlanToFiles } from '../../plan/apply-plan-to-files.js';
import type { PlacementStep, PlanStep, StateMeasurement } from '../../plan/fit-plan.js';
import type { BundleIndex } from '../../scan/bundle-index.js';
import { detectHostCapabilities } from '../../sandbox/host-capabilities.js';
import { modelsToQuantize } from '../models-to-quantize.js';
import { predictStateSizes } from '../predict-state-sizes.js';
import type { StagingArea } from '../staging-area.js';
import { buildDepsToTmpStep, dependencyFiles } from './build-deps-to-tmp-step.js';
import { buildImageStep } from './build-image-step.js';
import { buildLayersStep } from './build-layers-step.js';
import { buildModelFromS3Step } from './build-model-from-s3-step.js';
import { placementBucket, TASK_ROOT } from './placement-conventions.js';
import { servePlanObjects } from './serve-plan-objects.js';
import { stagePlacement, writeDependencyZip } from './stage-placement.js';
import { formatMs, mib } from '../fit-figures.js';

/** One measured bundle state of the fit loop. */
export interface FitState {
  id: string;
  label: string;
  steps: PlanStep[];
  measured: StateMeasurement;
}

/** What {@link tryPlacements} works with: the fit loop's state and its I/O edges. */
export interface PlacementContext {
  index: BundleIndex;
  config: LambdafitConfig;
  target: Target;
  /** The function as the sandbox runs it. */
  fn: FunctionConfig;
  staging: StagingArea;
  /** Bundle paths the verified prune steps removed. */
  removed: ReadonlySet<string>;
  /** Bundle path → quantized file that ships instead. */
  replaced: ReadonlyMap<string, string>;
  /** States measured so far (to know whether anything fits). */
  existing: readonly FitState[];
  /** Progress of each placement. */
  emit: (step: string, status: 'start' | 'passed' | 'failed' | 'skipped', message: string) => void;
  /** Runs one verification of a view (cold start + every event, compared with the golden answers). */
  measure: (viewDir: string, fn: FunctionConfig, environment: Record<string, string>, steps: readonly PlanStep[]) => Promise<StateMeasurement>;
  signal?: AbortSignal;
}

/** Placement states measured, and sentences for the plan's explanation. */
export interface PlacementOutcome {
  states: FitState[];
  notes: string[];
}


/**
 * Placements on top of the best verified state (Node.js functions), each verified in the sandbox
 * with lambdafit's S3-compatible store serving its objects, so cold starts include the fetch:
 * the model from object storage whenever there is a model (so the trade-off shows); when the
 * state still does not fit, dependencies to /tmp (on top of the model placement when only both
 * together fit), layers, and the container image as the last resort (always for target `image`).
 */
export async function tryPlacements(base: FitState, ctx: PlacementContext): Promise<PlacementOutcome> {
  const { index, config, target, fn, staging, removed, replaced, emit, signal } = ctx;
  const states: FitState[] = [];
  const notes: string[] = [];
  // Object key → the dependency zip written for it, so later states reuse it.
  const placementZips = new Map<string, string>();
  const contentOf = (p: string) => replaced.get(p) ?? join(staging.baselineDir, p);
  const bucket = placementBucket(fn.functionName);
  const shipped = applyPlanToFiles(index.code.files, base.steps).files;
  const byPath = new Map(shipped.map((f) => [f.path, f]));
  const nodeOptions = fn.environment.NODE_OPTIONS;
  let modelState: FitState | undefined;
  const models = modelsToQuantize(config, index.code.files, removed).flatMap((m) => {
    const f = byPath.get(m.path);
    return f?.hash !== undefined ? [{ path: f.path, bytes: f.bytes, hash: f.hash }] : [];
  });
  if (models.length > 0) {
    const placed: PlacementStep[] = [];
    for (const [i, model] of models.entries()) {
      const step = buildModelFromS3Step({ model, bucket, nodeOptions: placed[i - 1]?.environment.NODE_OPTIONS ?? nodeOptions });
      if (i > 0) renameLoader(step, `model-fetch-${i + 1}.cjs`);
      placed.push(step);
    }
    emit('model-from-s3', 'start', `Placement: ${models.map((m) => m.path).join(', ')} fetched from the object store into memory at init…`);
    modelState = await verifyPlacement(base, placed, new Map(), 'model-from-s3', `${base.label} + model from S3`);
    states.push(modelState);
    report('model-from-s3', modelState);
  }
  if (predictStateSizes(index, base.steps, target, config).fits && target !== 'image') return { states, notes };

  // Dependencies to /tmp: on the best state, or on top of the model placement when only both together fit.
  let depsBase = base;
  const depsFits = (b: FitState) => {
    const files = dependencyFiles(applyPlanToFiles(index.code.files, b.steps).files);
    const probe = buildDepsToTmpStep({ files, zip: { bytes: 0, hash: '0'.repeat(64) }, bucket, nodeOptions });
    return predictStateSizes(index, [...b.steps, probe], target, config).fits;
  };
  if (!depsFits(base) && modelState?.measured.passed && depsFits(modelState)) depsBase = modelState;
  const depFiles = dependencyFiles(applyPlanToFiles(index.code.files, depsBase.steps).files);
  if (depFiles.length > 0 && target !== 'image') {
    const entries = depFiles.map((f) => ({ path: f.path, bytes: f.bytes, mode: 'mode' in f ? (f as { mode: number }).mode : 0o644, ...(f.symlinkTarget !== undefined ? { symlinkTarget: f.symlinkTarget } : {}) }));
    emit('deps-to-tmp', 'start', `Placement: ${depFiles.length} dependency files packed into one zip, fetched and unpacked into /tmp at init…`);
    const zipPath = join(staging.workDir, 'objects', `dependencies-${depsBase.id}.zip`);
    const zip = await writeDependencyZip(entries, contentOf, zipPath, signal ? { signal } : {});
    const lastOptions = [...depsBase.steps].reverse().find((s): s is PlacementStep => s.kind === 'placement')?.environment.NODE_OPTIONS ?? nodeOptions;
    const step = buildDepsToTmpStep({ files: depFiles, zip, bucket, nodeOptions: lastOptions });
    // The deps loader must run before a model shim that resolves onnxruntime-common from /tmp.
    const ordered = reorderForDeps(depsBase, step, nodeOptions);
    const state = await verifyPlacement(ordered.base, ordered.placed, new Map([[step.objects[0]!.key, zipPath]]), 'deps-to-tmp', `${depsBase.label} + dependencies to /tmp`);
    states.push(state);
    report('deps-to-tmp', state);
  }

  if (target !== 'image') {
    const split = buildLayersStep({ files: shipped, configuredLayers: fn.layers.length, nodeOptions });
    if (split.step) {
      emit('layers', 'start', `Placement: node_modules split into ${split.step.layers.length} layer(s) mounted at /opt…`);
      const state = await verifyPlacement(base, [split.step], new Map(), 'layers', `${base.label} + layers`);
      states.push(state);
      report('layers', state);
      const sizes = predictStateSizes(index, state.steps, target, config);
      if (!sizes.fits) {
        notes.push(`Layers verified but do not make it fit: ${sizes.failed.join('; ')}. Layers only split the package into zips of at most 52,428,800 B each; code and layers together still count against the 262,144,000 B unzipped limit, and files the handler opens by path (the model) stay in the function zip.`);
      }
    } else {
      notes.push(`Layers cannot help: ${split.reason}.`);
      emit('layers', 'skipped', `Layers cannot help: ${split.reason}.`);
    }
  }

  // A container image is the last resort: the same verified tree, deployed as an image.
  const anyFits = [...ctx.existing, ...states].some((s) => s.measured.passed && predictStateSizes(index, s.steps, target, config).fits);
  if (target === 'image' || !anyFits) {
    states.push({ id: 'image', label: `${base.label} as a container image`, steps: [...base.steps, buildImageStep(fn.runtime)], measured: base.measured });
  }

  /** Verifies base + placement steps: view without the moved files, loaders linked in, layers mounted, objects served. */
  async function verifyPlacement(base: FitState, placed: PlanStep[], zipFiles: ReadonlyMap<string, string>, id: string, label: string): Promise<FitState> {
    const steps = [...base.steps, ...placed];
    const placements = steps.filter((s): s is PlacementStep => s.kind === 'placement');
    const added = new Map<string, string>();
    const objects = new Map<string, string>();
    const layerDirs: string[] = [];
    const knownZips = new Map([...placementZips, ...zipFiles]);
    for (const step of placements) {
      const staged = await stagePlacement(step, staging.workDir, contentOf, knownZips);
      for (const [k, v] of staged.added) added.set(k, v);
      for (const [k, v] of staged.objects) objects.set(k, v);
      layerDirs.push(...staged.layerDirs);
    }
    for (const [k, v] of zipFiles) placementZips.set(k, v);
    const moved = new Set(placements.flatMap((s) => s.moved.map((m) => m.path)));
    const environment = applyPlanToFiles([], steps).environment;
    const served = objects.size > 0 ? await servePlanObjects({ bucket: environment.LAMBDAFIT_BUCKET ?? placementBucket(fn.functionName), objects }) : undefined;
    try {
      const dir = await staging.buildView({ removed: new Set([...removed, ...moved]), replaced, added });
      try {
        const runFn = layerDirs.length > 0 ? { ...fn, layers: [...fn.layers, ...layerDirs] } : fn;
        const measured = await ctx.measure(dir, runFn, { ...environment, ...(served?.environment ?? {}), ...(await portablePreloads(environment, dir)) }, steps);
        const fetched = served?.stats.gets.reduce((n, g) => n + g.bytes, 0) ?? 0;
        return { id, label, steps, measured: { ...measured, ...(fetched > 0 ? { fetchedBytes: fetched } : {}) } };
      } finally {
        await staging.removeView(dir);
      }
    } finally {
      await served?.close();
    }
  }

  function report(step: string, state: FitState): void {
    const m = state.measured;
    if (m.passed) emit(step, 'passed', `${state.label}: init ${formatMs(m.initDurationMs)}${m.fetchedBytes ? ` (fetching ${mib(m.fetchedBytes)})` : ''}, ${m.maxMemoryUsedMB} MB${m.tmpPeakBytes ? `, /tmp ${mib(m.tmpPeakBytes)}` : ''}; answers match.`);
    else emit(step, 'failed', `${state.label}: ${m.error}`);
  }

  return { states, notes };
}

/** Gives a placement's loader another file name (several models each get their own shim). */
function renameLoader(step: PlacementStep, fileName: string): void {
  const a = step.added[0]!;
  const from = a.path;
  a.path = `${from.slice(0, from.lastIndexOf('/') + 1)}${fileName}`;
  // This step's own preload is the last one; earlier models' shims come before it.
  const options = step.environment.NODE_OPTIONS!;
  const at = options.lastIndexOf(from);
  step.environment.NODE_OPTIONS = options.slice(0, at) + a.path + options.slice(at + from.length);
}

/**
 * Puts a deps-to-tmp step before the base's placements: their loaders resolve packages that the
 * deps loader unpacks, so it must be the first preload. NODE_OPTIONS are rebuilt in that order.
 */
function reorderForDeps(base: FitState, deps: PlacementStep, configured: string | undefined): { base: FitState; placed: PlanStep[] } {
  const firstPlacement = base.steps.findIndex((s) => s.kind === 'placement');
  if (firstPlacement < 0) return { base, placed: [deps] };
  const before = base.steps.slice(0, firstPlacement);
  const after = base.steps.slice(firstPlacement).map((s) => (s.kind === 'placement' ? { ...s, environment: { ...s.environment } } : s));
  const preloads = (s: PlacementStep) => s.added.map((a) => `--require ${TASK_ROOT}/${a.path}`);
  let options = [configured, ...preloads(deps)].filter(Boolean).join(' ');
  const depsStep = { ...deps, environment: { ...deps.environment, NODE_OPTIONS: options } };
  for (const s of after) {
    if (s.kind !== 'placement' || s.environment.NODE_OPTIONS === undefined) continue;
    options = [options, ...preloads(s)].join(' ');
    s.environment.NODE_OPTIONS = options;
  }
  return { base: { ...base, steps: before }, placed: [depsStep, ...after] };
}

/**
 * Portable mode runs the function at the view's host path, not /var/task: the preloads that
 * NODE_OPTIONS names there are pointed at the view for the measurement (the plan keeps /var/task).
 */
async function portablePreloads(environment: Readonly<Record<string, string>>, viewDir: string): Promise<Record<string, string>> {
  if (environment.NODE_OPTIONS === undefined || (await detectHostCapabilities()).mode === 'kernel') return {};
  return { NODE_OPTIONS: environment.NODE_OPTIONS.split(`--require ${TASK_ROOT}/`).join(`--require ${viewDir}/`) };
}
