import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeBundle } from '../analyze/analyze-bundle.js';
import type { Architecture, LambdafitConfig, Target } from '../config/config-schema.js';
import { resolveFunctionConfig, type FunctionConfig, type RuntimeId } from '../config/resolve-function-config.js';
import { throwIfAborted } from '../errors.js';
import { measureBundleState, type BundleStateRun, type MeasureBundleStateOptions } from '../fit/measure-bundle-state.js';
import { servePlanObjects, type ServePlanObjectsOptions } from '../fit/placement/serve-plan-objects.js';
import { createStagingArea } from '../fit/staging-area.js';
import { fitsTarget } from '../limits/fits-target.js';
import { limitSettings } from '../limits/limit-settings.js';
import { measureLimits } from '../limits/measure-limits.js';
import { packageVersion } from '../package-root.js';
import type { FitPlan } from '../plan/fit-plan.js';
import { loadFitPlan } from '../plan/load-fit-plan.js';
import { hashFileTree } from '../plan/hash-file-tree.js';
import { materializePlan, type MaterializedPlan, type MaterializePlanOptions } from '../plan/materialize-plan.js';
import type { OperationOptions } from '../progress.js';
import type { Risk } from '../rules/schema.js';
import { detectHostCapabilities } from '../sandbox/host-capabilities.js';
import { prepareBundle } from '../sandbox/prepare-bundle.js';
import { resolveEventFiles, type SampleEvent } from '../sandbox/resolve-event-files.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';
import type { BundleIndex } from '../scan/bundle-index.js';
import { scanBundle } from '../scan/scan-bundle.js';
import { buildCheckItems } from './build-check-items.js';
import { decideVerdict, summarizeChecks, type CheckedPlan, type CheckReport, type VerificationSummary } from './check-report.js';
import { evaluateSizeCheck } from './evaluate-size-check.js';
import { predictPlanSizes } from './predict-plan-sizes.js';
import { readCachedVerification, sha256, verificationCacheKey, writeCachedVerification, type VerificationKeyParts } from './verification-cache.js';

/** Serves a plan's objects to the sandbox; returns the environment that points the function at them. */
export type ServeObjects = (options: ServePlanObjectsOptions) => Promise<{ environment: Record<string, string>; close(): Promise<void> }>;

/** Bucket a placement's loader reads when the plan's environment names none (as export assumes). */
const DEFAULT_BUCKET = 'lambdafit-objects';

/** Options of {@link checkBundle}. */
export interface CheckBundleOptions extends OperationOptions {
  /** The input: a folder, .zip or .tar.gz. Never written. */
  path: string;
  /** Validated configuration, merged with flags. */
  config: LambdafitConfig;
  /** Folder relative configuration paths (events, layers, rule files, `plan`) resolve against. */
  configDir: string;
  /** lambdafit.json's path, when one was read: budget failures point at it. */
  configPath?: string;
  /** Layer folders or zips. @default config.layers */
  layers?: string[];
  /** @default config.target, else the plan's target, else zip-s3 */
  target?: Target;
  /** @default config.architecture ?? 'x86_64' */
  arch?: Architecture;
  /** Plan file (absolute); @default config.plan resolved against configDir; none → rules-only check. */
  planPath?: string;
  /** Rules-only check: highest rule risk applied virtually. @default 'danger' */
  maxRisk?: Risk;
  /**
   * Run the sandbox verification. With a plan it always runs; without one it runs when the
   * configuration has events or a cold-start, warm or memory budget. @default true
   */
  verify?: boolean;
  /** Cache folder for scan sizes and verification results, or false for none. @default defaultCacheDir() */
  cacheDir?: string | false;
  /** Working directory relative event paths resolve against. @default process.cwd() */
  cwd?: string;
  /** I/O edge: builds a plan's files. @default materializePlan */
  materialize?: (options: MaterializePlanOptions) => Promise<MaterializedPlan>;
  /** I/O edge: runs one state in the sandbox. @default measureBundleState */
  measure?: (options: MeasureBundleStateOptions) => Promise<BundleStateRun>;
  /** I/O edge: serves a plan's objects (model-from-s3, deps-to-tmp) to the sandbox. @default servePlanObjects (in-Region S3 bandwidth and latency) */
  serveObjects?: ServeObjects;
  /** Sandbox isolation mode for the cache key. @default what `detectHostCapabilities` finds */
  sandboxMode?: 'kernel' | 'portable';
}

const RUNTIME_BUDGETS = ['coldStartMs', 'warmP50Ms', 'maxMemoryMB'] as const;
const DEFAULT_MODEL_TOLERANCE = 0.05;
/** Log lines of a failed verification kept in the report: enough for a stack trace in CI. */
const LOG_TAIL_LINES = 20;

/**
 * The headless fit check. Scans the bundle (cached), applies the plan — or, without one, the
 * configured rules — to the file list to predict the deploy sizes against the target's limits and
 * the size budgets, then verifies in the sandbox: the plan's files built on disk (or a hard-link
 * view of the pruned bundle), a cold start plus every sample event, answers compared with the
 * plan's recorded outputs, and the cold-start, warm-p50 and memory budgets checked against what
 * was measured. Verification results are cached by content (input tree, plan, function settings,
 * events, lambdafit version, sandbox mode): an unchanged bundle re-checks without building or
 * running anything. Returns the whole report as data; never throws for a failing function.
 */
export async function checkBundle(options: CheckBundleOptions): Promise<CheckReport> {
  const { config, signal } = options;
  const path = resolve(options.path);
  const configDir = resolve(options.configDir);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const common = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(signal ? { signal } : {}) };
  const loaded = await loadFitPlan(options.planPath, config, configDir);
  const planPath = loaded?.path;
  const plan = loaded?.plan;
  const target = options.target ?? config.target ?? plan?.target ?? 'zip-s3';
  const layerPaths = options.layers ?? (config.layers ?? []).map((l) => resolve(configDir, l));
  // A plan says what goes; only the rules-only check needs the rules matched (and the models
  // inspected), which is most of a cached re-check's time on a large bundle.
  const analysis = plan
    ? undefined
    : await analyzeBundle({ path, config, configDir, layers: layerPaths, target, ...(options.arch ? { arch: options.arch } : {}), cacheDir, ...common }, 'check');
  const index = analysis?.index ?? (await scanBundle({ path, layers: layerPaths, cacheDir, ...common }));
  const arch = analysis?.arch ?? options.arch ?? config.architecture ?? plan?.arch ?? 'x86_64';
  const treeHash = hashFileTree(index.code.files, plan?.input.excluded ?? []);

  // Sizes: the plan or the rules, applied to the file list only.
  let size: Pick<CheckReport, 'before' | 'after' | 'limits' | 'applied' | 'removed' | 'skipped'> & { layersBytes: number };
  let checkedPlan: (CheckedPlan & { missing: string[] }) | undefined;
  let removedPaths: string[];
  const environment = { ...(config.environment ?? {}) };
  if (plan) {
    for (const step of plan.steps) if (step.kind === 'placement') Object.assign(environment, step.environment);
    const sizes = predictPlanSizes(index, plan);
    const limits = measureLimits({
      code: sizes,
      layers: sizes.layers,
      target,
      ...limitSettings(config),
      ...(Object.keys(environment).length ? { environment } : {}),
      ...(sizes.tmpUsedBytes !== undefined ? { tmpUsedBytes: sizes.tmpUsedBytes } : {}),
    });
    size = {
      before: {
        files: index.code.files.length,
        unzippedBytes: index.code.unzippedBytes,
        zippedBytes: index.code.zippedBytes,
        fits: fitsTarget(measureLimits({ code: index.code, layers: index.layers, target, ...limitSettings(config) }), target),
      },
      after: { files: sizes.files, unzippedBytes: sizes.unzippedBytes, zippedBytes: sizes.zippedBytes },
      limits,
      applied: [],
      removed: sizes.removed,
      skipped: [],
      layersBytes: sizes.layers.reduce((n, l) => n + l.unzippedBytes, 0),
    };
    removedPaths = sizes.removed.map((r) => r.path);
    checkedPlan = { path: planPath!, chosen: plan.chosen, steps: plan.steps.length, treeHashMatches: plan.input.treeHash === treeHash, missing: sizes.missing };
  } else {
    const result = evaluateSizeCheck(analysis!, config, options.maxRisk ?? 'danger');
    const { verdict: _verdict, target: _target, arch: _arch, ...rest } = result;
    size = { ...rest, layersBytes: index.layers.reduce((n, l) => n + l.unzippedBytes, 0) };
    removedPaths = result.removed.map((r) => r.path);
  }

  // Verification: decide, then the cache, then build and run.
  const budgets = config.budgets ?? {};
  const wanted = plan !== undefined || (config.events?.length ?? 0) > 0 || RUNTIME_BUDGETS.some((b) => budgets[b] !== undefined);
  const events = wanted ? await resolveEventFiles([], config.events ?? [], configDir, options.cwd ?? process.cwd()) : [];
  const golden = plan?.verification.golden;
  const useGolden = golden !== undefined && golden.length === events.length + 1;
  let verification: VerificationSummary;
  if (!wanted) {
    verification = { status: 'skipped', reason: 'no plan, no events and no cold-start, warm or memory budget in lambdafit.json', cached: false, events: [], comparedWithGolden: false };
  } else if (options.verify === false) {
    verification = { status: 'skipped', reason: '--no-verify', cached: false, events: events.map((e) => e.name), comparedWithGolden: false };
  } else if (checkedPlan && !checkedPlan.treeHashMatches) {
    verification = { status: 'skipped', reason: 'the plan was made for another bundle', cached: false, events: events.map((e) => e.name), comparedWithGolden: false };
  } else {
    const hasModelSteps = plan?.steps.some((s) => s.kind === 'quantize') ?? false;
    const numericTolerance = hasModelSteps ? (config.verify?.modelTolerance ?? DEFAULT_MODEL_TOLERANCE) : (config.verify?.numericTolerance ?? 0);
    const ignore = config.verify?.ignore ?? [];
    const overrides = {
      runtime: (config.runtime ?? plan?.function.runtime) as RuntimeId | undefined,
      handler: config.handler ?? plan?.function.handler,
      memorySize: config.memorySize ?? plan?.memorySize,
    };
    const sandboxMode = options.sandboxMode ?? (await detectHostCapabilities()).mode;
    const keyParts: VerificationKeyParts = {
      version: packageVersion(),
      sandboxMode,
      treeHash,
      layerHashes: index.layers.map((l) => hashFileTree(l.files)),
      planHash: loaded ? sha256(loaded.bytes) : null,
      removedHash: plan ? null : sha256([...removedPaths].sort().join('\n')),
      function: { ...overrides, architecture: arch, ephemeralStorage: config.ephemeralStorage, timeout: config.timeout, environment: config.environment ?? {} },
      events: events.map((e) => sha256(e.payload)),
      compare: { numericTolerance, ignore, golden: useGolden },
    };
    const key = verificationCacheKey(keyParts);
    const hit = cacheDir === false ? undefined : await readCachedVerification(cacheDir, key);
    if (hit) {
      options.onProgress?.({ type: 'phase', phase: 'check', message: `Verification: unchanged since ${hit.measuredAt}; using the cached result (no sandbox run).` });
      verification = { status: hit.measurement.passed ? 'passed' : 'failed', reason: 'cached', cached: true, cacheKey: key, isolation: hit.isolation, events: hit.events, comparedWithGolden: hit.comparedWithGolden, measurement: hit.measurement };
    } else {
      const ran = await runVerification({
        options,
        path,
        configDir,
        plan,
        layerPaths,
        removed: new Set(removedPaths),
        index,
        events,
        golden: useGolden ? golden : undefined,
        numericTolerance,
        ignore,
        overrides,
        arch,
        cacheDir,
      });
      verification = {
        status: ran.measurement.passed ? 'passed' : 'failed',
        reason: `cold start and ${events.length} event${events.length === 1 ? '' : 's'} at ${ran.memorySize} MB`,
        cached: false,
        ...(cacheDir === false ? {} : { cacheKey: key }),
        isolation: sandboxMode,
        events: events.map((e) => e.name),
        comparedWithGolden: useGolden,
        measurement: ran.measurement,
        ...(ran.measurement.passed ? {} : { logTail: ran.logs.slice(-LOG_TAIL_LINES) }),
      };
      // Only passing runs are cached: a failure may be the host's (load, a killed sandbox) and must run again.
      if (cacheDir !== false && ran.measurement.passed) {
        await writeCachedVerification(cacheDir, { key, measuredAt: new Date().toISOString(), isolation: sandboxMode, events: verification.events, comparedWithGolden: useGolden, measurement: ran.measurement });
      }
    }
  }

  const checks = buildCheckItems({
    bundle: path,
    ...(options.configPath ? { configPath: resolve(options.configPath) } : {}),
    ...(checkedPlan ? { plan: checkedPlan } : {}),
    limits: size.limits,
    sizes: { zippedBytes: size.after.zippedBytes, unzippedBytes: size.after.unzippedBytes + size.layersBytes },
    budgets,
    verification,
  });
  const { layersBytes: _l, ...sizeFields } = size;
  return {
    ...decideVerdict(checks),
    bundle: path,
    target,
    arch,
    plan: checkedPlan ? { path: checkedPlan.path, chosen: checkedPlan.chosen, steps: checkedPlan.steps, treeHashMatches: checkedPlan.treeHashMatches } : null,
    ruleSets: analysis?.ruleSets ?? [],
    ...sizeFields,
    checks,
    summary: summarizeChecks(checks),
    verification,
  };
}

interface VerificationRun {
  options: CheckBundleOptions;
  path: string;
  configDir: string;
  plan: FitPlan | undefined;
  layerPaths: string[];
  removed: ReadonlySet<string>;
  index: BundleIndex;
  events: SampleEvent[];
  golden: unknown[] | undefined;
  numericTolerance: number;
  ignore: string[];
  overrides: { runtime?: RuntimeId; handler?: string; memorySize?: number };
  arch: Architecture;
  cacheDir: string | false;
}

/**
 * Builds the checked state on disk and runs it: a plan through `materializePlan` (objects served
 * when the plan has any), the rules-only state as a hard-link view of a staging copy (or the input
 * folder itself when nothing is removed). Everything built is removed afterwards.
 */
async function runVerification(r: VerificationRun): Promise<{ measurement: BundleStateRun['measurement']; logs: string[]; memorySize: number }> {
  const { options, config } = { options: r.options, config: r.options.config };
  const signal = options.signal;
  const common = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(signal ? { signal } : {}) };
  const measure = options.measure ?? measureBundleState;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let bundleDir: string;
    let layerDirs: string[] = [];
    let extraEnvironment: Record<string, string> = {};
    if (r.plan) {
      const workDir = await mkdtemp(join(tmpdir(), 'lambdafit-check-'));
      cleanups.push(() => rm(workDir, { recursive: true, force: true }));
      const materialized = await (options.materialize ?? materializePlan)({
        inputPath: r.path,
        plan: r.plan,
        config,
        configDir: r.configDir,
        layers: r.layerPaths,
        cacheDir: r.cacheDir,
        workDir,
        input: r.index,
        ...common,
      });
      bundleDir = materialized.functionDir;
      layerDirs = materialized.layers.map((l) => l.dir);
      extraEnvironment = { ...materialized.environment };
      if (materialized.objects.length > 0) {
        const served = await (options.serveObjects ?? servePlanObjects)({
          bucket: extraEnvironment.LAMBDAFIT_BUCKET ?? DEFAULT_BUCKET,
          objects: new Map(materialized.objects.map((o) => [o.key, o.file])),
          dir: join(workDir, 'object-store'),
        });
        cleanups.push(() => served.close());
        Object.assign(extraEnvironment, served.environment);
      }
    } else {
      const isDir = (await stat(r.path)).isDirectory();
      if (isDir && r.removed.size === 0) bundleDir = r.path;
      else {
        const staging = await createStagingArea(r.path, r.index.code.files, r.index.code.emptyDirectories ?? [], common);
        cleanups.push(() => staging.dispose());
        bundleDir = await staging.buildView({ removed: r.removed, replaced: new Map() });
      }
      for (const layer of r.layerPaths) {
        const prepared = await prepareBundle(layer, common);
        cleanups.push(() => prepared.release());
        layerDirs.push(prepared.dir);
      }
    }
    throwIfAborted(signal);
    const fn: FunctionConfig = await resolveFunctionConfig(bundleDir, { ...config, layers: layerDirs }, {
      ...(r.overrides.runtime ? { runtime: r.overrides.runtime } : {}),
      ...(r.overrides.handler ? { handler: r.overrides.handler } : {}),
      ...(r.overrides.memorySize ? { memorySize: r.overrides.memorySize } : {}),
      architecture: r.arch,
      baseDir: r.configDir,
      nameFrom: r.path,
    });
    options.onProgress?.({ type: 'phase', phase: 'check', message: `Verifying in the sandbox: a cold start and ${r.events.length} event${r.events.length === 1 ? '' : 's'} at ${fn.memorySize} MB…` });
    const run = await measure({
      bundleDir,
      fn,
      events: r.events,
      ...(r.golden ? { golden: r.golden } : {}),
      numericTolerance: r.numericTolerance,
      ignore: r.ignore,
      ...(Object.keys(extraEnvironment).length ? { environment: extraEnvironment } : {}),
      ...(signal ? { signal } : {}),
    });
    return { measurement: run.measurement, logs: run.logs, memorySize: fn.memorySize };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}
