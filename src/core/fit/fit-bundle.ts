import type { BundleOptions } from '../config/bundle-options.js';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { analyzeBundle } from '../analyze/analyze-bundle.js';
import { resolveFunctionConfig } from '../config/resolve-function-config.js';
import { InputError, SandboxError, throwIfAborted, UsageError } from '../errors.js';
import { FIT_PLAN_VERSION, type FitPlan, type PlanAlternative, type PlanStep, type QuantizeStep } from '../plan/fit-plan.js';
import { hashFileTree } from '../plan/hash-file-tree.js';
import type { Risk } from '../rules/schema.js';
import { resolveEventFiles } from '../sandbox/resolve-event-files.js';
import { chooseAlternative } from './choose-alternative.js';
import { measureBundleState } from './measure-bundle-state.js';
import { orderPruneSteps } from './order-prune-steps.js';
import { predictStateSizes } from './predict-state-sizes.js';
import { modelsToQuantize } from './models-to-quantize.js';
import { quantizePlanStep } from './quantize-plan-step.js';
import { runPruneLoop } from './run-prune-loop.js';
import { createStagingArea } from './staging-area.js';
import { parseTraceLines } from './node-trace-hook.js';
import { proposeTraceStep, writeTraceHook } from './trace-prune-step.js';
import { tryPlacements, type FitState } from './placement/try-placements.js';
import { formatMs, mib } from './fit-figures.js';

/** Options of {@link fitBundle}. */
export interface FitBundleOptions extends BundleOptions {
  /** Highest rule risk to try. @default 'caution' */
  maxRisk?: Risk;
  /** Prune files a trace (Node.js or Python) never saw opened (needs maxRisk caution or higher). @default true */
  trace?: boolean;
  /** Try model quantization. @default true */
  quantize?: boolean;
  /**
   * Try placements (Node.js functions): the model from object storage whenever the bundle has an
   * ONNX model; dependencies to /tmp, layers and a container image when the pruned and quantized
   * bundle still does not fit. @default true
   */
  placements?: boolean;
  /** Working directory for relative event paths. */
  cwd?: string;
  /**
   * lambdafit's own files (absolute paths: the configuration, the plan being written). Those
   * inside the bundle are left out of the plan's tree hash, so keeping them there does not make
   * the plan stale.
   */
  ownFiles?: string[];
}

/** What {@link fitBundle} returns: the plan plus run statistics. */
export interface FitBundleResult {
  plan: FitPlan;
  /** Sandbox verifications run (the baseline included). */
  verifications: number;
  /** Wall-clock ms of the whole fit. */
  elapsedMs: number;
}

type State = FitState;

const DEFAULT_MODEL_TOLERANCE = 0.05;

/**
 * The verified optimisation loop. Records the unmodified bundle's outputs in the sandbox (the
 * golden outputs; a failing baseline stops with SandboxError), then proposes steps — binaries for
 * other platforms, rules by risk, model quantization — each applied to a hard-link view of a
 * private staging copy, verified with a cold start and every sample event, and kept, bisected or
 * rolled back. Every verified state is an alternative; the planner picks the one that fits with
 * the smallest cold start. The input is never modified; staging is removed at the end or on abort.
 */
export async function fitBundle(options: FitBundleOptions): Promise<FitBundleResult> {
  const started = performance.now();
  const { config, signal } = options;
  options = { ...options, path: resolve(options.path), configDir: resolve(options.configDir) };
  const emit = (step: string, status: 'start' | 'passed' | 'failed' | 'bisected' | 'skipped', message: string, bytes?: number) =>
    options.onProgress?.({ type: 'fit:step', step, status, message, ...(bytes !== undefined ? { bytes } : {}) });
  const analysis = await analyzeBundle(
    {
      path: options.path,
      config,
      configDir: options.configDir,
      ...(options.layers ? { layers: options.layers } : {}),
      ...(options.target ? { target: options.target } : {}),
      ...(options.arch ? { arch: options.arch } : {}),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(signal ? { signal } : {}),
    },
    'check',
  );
  const { index, target, arch } = analysis;
  const events = await resolveEventFiles([], config.events ?? [], options.configDir, options.cwd ?? process.cwd());
  const staging = await createStagingArea(options.path, index.code.files, index.code.emptyDirectories ?? [], { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(signal ? { signal } : {}) });
  let verifications = 0;
  try {
    const fn = await resolveFunctionConfig(staging.baselineDir, config, { baseDir: options.configDir, nameFrom: options.path, architecture: arch });
    const ignore = config.verify?.ignore ?? [];
    emit('baseline', 'start', `Running the unmodified bundle: a cold start and ${events.length} event${events.length === 1 ? '' : 's'} at ${fn.memorySize} MB…`);
    const baseline = await measureBundleState({ bundleDir: staging.baselineDir, fn, events, numericTolerance: 0, ...(signal ? { signal } : {}) });
    verifications++;
    if (!baseline.measurement.passed) {
      throw new SandboxError(`The unmodified bundle ${options.path} fails in the sandbox (${baseline.measurement.error}); fix the function or its sample events before fitting.`, 'E_BASELINE_FAILED');
    }
    emit('baseline', 'passed', `Baseline: init ${formatMs(baseline.measurement.initDurationMs)}, ${baseline.measurement.maxMemoryUsedMB} MB.`);
    const golden = baseline.responses;

    const verifyState = async (removed: ReadonlySet<string>, replaced: ReadonlyMap<string, string>, tolerance: number) => {
      throwIfAborted(signal);
      const dir = await staging.buildView({ removed, replaced });
      try {
        verifications++;
        return (await measureBundleState({ bundleDir: dir, fn, events, golden, numericTolerance: tolerance, ignore, ...(signal ? { signal } : {}) })).measurement;
      } finally {
        await staging.removeView(dir);
      }
    };

    const states: State[] = [{ id: 'baseline', label: 'unmodified bundle', steps: [], measured: baseline.measurement }];
    const proposed = orderPruneSteps(analysis.candidates, options.maxRisk ?? 'caution');
    const tolerance = config.verify?.numericTolerance ?? 0;
    const traced = options.trace !== false ? await traceBaseline() : undefined;
    const pruned = await runPruneLoop(proposed, (removed) => verifyState(removed, new Map(), tolerance), {
      ...(signal ? { signal } : {}),
      ...(traced ? { likelyNeeded: traced } : {}),
      onStep: (o) =>
        emit(
          o.step.label,
          o.firstAttempt.passed ? 'passed' : o.keptFiles.length > 0 ? 'bisected' : 'failed',
          o.firstAttempt.passed
            ? `${o.step.label}: removed ${o.removedFiles} files (${mib(o.removedBytes)}), verified.`
            : `${o.step.label}: broke the function (${o.firstAttempt.error}); bisected in ${o.verifications} verifications, kept ${o.keptFiles.length} file${o.keptFiles.length === 1 ? '' : 's'}, removed ${o.removedFiles}.`,
          o.removedBytes,
        ),
      onTest: (label, n, ok) => emit(label, ok ? 'passed' : 'failed', `  ${label}: ${n} removed → ${ok ? 'works' : 'breaks'}`),
    });
    if (pruned.measurement && pruned.steps.some((s) => s.kind === 'prune')) {
      states.push({ id: 'pruned', label: 'pruned', steps: [...pruned.steps], measured: pruned.measurement });
    }
    const removed = new Set(pruned.removed);
    if (traced && (options.maxRisk ?? 'caution') !== 'safe') {
      const state = await pruneUntraced(traced, removed, states[states.length - 1]!.steps);
      if (state) states.push(state);
    }

    /** One traced run of the unmodified bundle (Node.js or Python): every bundle file it opens. */
    async function traceBaseline(): Promise<Set<string> | undefined> {
      const hook = await writeTraceHook(staging.workDir, fn.runtime, fn.environment.NODE_OPTIONS);
      if (!hook) return undefined;
      emit('trace', 'start', 'Tracing the files the function opens (cold start and every event)…');
      const dir = await staging.buildView({ removed: new Set(), replaced: new Map(), added: hook.files });
      try {
        verifications++;
        const run = await measureBundleState({ bundleDir: dir, fn, events, golden, numericTolerance: tolerance, ignore, environment: hook.environment, ...(signal ? { signal } : {}) });
        if (run.measurement.passed) return parseTraceLines(run.logs);
        emit('trace', 'failed', `The traced run failed (${run.measurement.error}); pruning goes on without a trace.`);
        return undefined;
      } finally {
        await staging.removeView(dir);
      }
    }

    /** Trace-based pruning: the files never opened become one caution step, verified like a rule. */
    async function pruneUntraced(traced: ReadonlySet<string>, removed: Set<string>, before: PlanStep[]): Promise<State | undefined> {
      const step = proposeTraceStep(index.code.files, traced, before);
      if (!step) return undefined;
      emit('trace', 'start', `Trace: ${traced.size} bundle files opened; trying without the ${step.candidates[0]!.files.length} never opened…`);
      const result = await runPruneLoop([step], (extra) => verifyState(new Set([...removed, ...extra]), new Map(), tolerance), {
        ...(signal ? { signal } : {}),
        onStep: (o) => emit('trace', o.firstAttempt.passed ? 'passed' : 'bisected', `trace: removed ${o.removedFiles} never-opened files (${mib(o.removedBytes)})${o.keptFiles.length ? `, kept ${o.keptFiles.length} the function needs after all` : ''}.`, o.removedBytes),
      });
      if (!result.measurement || !result.steps.some((s) => s.kind === 'prune')) return undefined;
      for (const f of result.removed) removed.add(f);
      return { id: 'traced', label: before.length ? 'pruned + trace' : 'trace', steps: [...before, ...result.steps], measured: result.measurement };
    }

    // What was tried and refused before verification (e.g. a quantization under the accuracy gate).
    const notes: string[] = [];
    let current = states[states.length - 1]!;
    // Bundle path → quantized file that ships instead, for every accepted quantization.
    const replaced = new Map<string, string>();
    if (options.quantize !== false) {
      for (const model of modelsToQuantize(config, index.code.files, removed)) {
        let accepted: { step: QuantizeStep; file: string } | undefined;
        for (const mode of model.modes) {
          const fitsNow = predictStateSizes(index, current.steps, target, config).fits;
          if (mode !== 'int8' && accepted && fitsNow) break;
          emit(`quantize ${model.path}`, 'start', `Quantizing ${model.path} to ${mode}…`);
let q;
          try {
            q = await quantizePlanStep({
              modelFile: join(staging.baselineDir, model.path),
              modelPath: model.path,
              mode,
              outDir: staging.workDir,
              ...(model.minCosine !== undefined ? { minCosine: model.minCosine } : {}),
              ...(model.minTop1 !== undefined ? { minTop1: model.minTop1 } : {}),
              ...(signal ? { signal } : {}),
            });
          } catch (err) {
            // A model the quantizer cannot handle is a refused step, not a failed fit.
            if (!(err instanceof InputError || err instanceof UsageError)) throw err;
            notes.push(`${mode} quantization of ${model.path} is not possible: ${err.message}`);
            emit(`quantize ${model.path}`, 'skipped', notes[notes.length - 1]!);
            continue;
          }
          if (!q.step) {
            const note = `${mode} quantization of ${model.path} was refused by the model's accuracy gate (${q.reasons.join('; ')}).`;
            notes.push(note);
            emit(`quantize ${model.path}`, 'failed', note);
            continue;
          }
          const base = current.steps.filter((s) => !(s.kind === 'quantize' && s.modelPath === model.path));
          const steps = [...base, q.step];
          const m = await verifyState(removed, new Map([...replaced, [model.path, q.outputFile]]), config.verify?.modelTolerance ?? DEFAULT_MODEL_TOLERANCE);
          const id = `${states.some((s) => s.id === mode) ? `${model.path}:` : ''}${mode}`;
          const state: State = { id, label: `${current.id === 'baseline' ? '' : `${current.label} + `}${q.step.variant} ${model.path}`, steps, measured: m };
          states.push(state);
          if (!m.passed) {
            emit(`quantize ${model.path}`, 'failed', `${mode}: the handler's answers changed (${m.error}); rolled back.`);
            continue;
          }
          emit(`quantize ${model.path}`, 'passed', `${mode}: ${mib(q.step.inputBytes)} → ${mib(q.step.outputBytes)}, cosine ${q.step.accuracy.cosine?.toFixed(5)}, handler answers match.`, q.step.inputBytes - q.step.outputBytes);
          accepted = { step: q.step, file: q.outputFile };
          current = state;
        }
        if (accepted) replaced.set(model.path, accepted.file);
      }
    }

    if (options.placements !== false) {
      if (fn.runtime.startsWith('nodejs')) {
        const placed = await tryPlacements(current, {
          index,
          config,
          target,
          fn,
          staging,
          removed,
          replaced,
          existing: states,
          emit,
          ...(signal ? { signal } : {}),
          measure: async (dir, runFn, environment, steps) => {
            verifications++;
            const tol = steps.some((s) => s.kind === 'quantize') ? (config.verify?.modelTolerance ?? DEFAULT_MODEL_TOLERANCE) : tolerance;
            return (await measureBundleState({ bundleDir: dir, fn: runFn, events, golden, numericTolerance: tol, ignore, environment, ...(signal ? { signal } : {}) })).measurement;
          },
        });
        states.push(...placed.states);
        notes.push(...placed.notes);
      } else {
        notes.push(`Placements (model from object storage, dependencies to /tmp, layers) are generated for Node.js functions only; ${fn.runtime} was not tried.`);
      }
    }

    const alternatives: PlanAlternative[] = states.map((s) => {
      const isImage = s.steps.some((x) => x.kind === 'placement' && x.strategy === 'image');
      const { failed, ...sizes } = predictStateSizes(index, s.steps, isImage ? 'image' : target, config);
      const rejected = failed.map((f) => `does not fit ${isImage ? 'image' : target}: ${f}`);
      if (isImage && target !== 'image') rejected.push(`ships as a container image, not ${target}: re-run with --target image to choose it`);
      if (!isImage && target === 'image' && states.some((x) => x.id === 'image')) rejected.push('the image target ships the "as a container image" alternative, which runs this tree');
      return { id: s.id, label: s.label, includes: describeSteps(s.steps), sizes, measured: s.measured, accuracyCosine: lowestCosine(s.steps), rejected };
    });
    const choice = chooseAlternative(alternatives, target, config.budgets ?? {});
    choice.explanation.push(...notes);
    const chosen = states.find((s) => s.id === choice.chosen);
    const steps = chosen?.steps ?? [];
    const { failed: _f, ...predicted } = predictStateSizes(index, steps, target, config);
    const { failed: _i, ...inputSizes } = predictStateSizes(index, [], target, config);
    const excluded = ownPathsInside(options.path, options.ownFiles ?? []);
    const plan: FitPlan = {
      format: 'lambdafit-fit-plan',
      version: FIT_PLAN_VERSION,
      createdAt: new Date().toISOString(),
      input: { path: resolve(options.path), treeHash: hashFileTree(index.code.files, excluded), ...(excluded.length > 0 ? { excluded } : {}), sizes: inputSizes },
      target,
      arch,
      memorySize: fn.memorySize,
      function: { runtime: fn.runtime, handler: fn.handler },
      events: events.map((e) => e.name),
      steps,
      predicted,
      verification: { baseline: baseline.measurement, final: chosen?.measured ?? baseline.measurement, ...goldenForPlan(golden) },
      alternatives: choice.alternatives,
      chosen: choice.chosen,
      explanation: choice.explanation,
    };
    return { plan, verifications, elapsedMs: performance.now() - started };
  } finally {
    await staging.dispose();
  }
}

/** Bundle-relative paths of the `own` files that lie inside the bundle folder (present yet or not: a plan is written after the scan). */
function ownPathsInside(bundle: string, own: readonly string[]): string[] {
  return [...new Set(own.map((p) => relative(bundle, resolve(p)).split(sep).join('/')))].filter((p) => p !== '' && !p.startsWith('../') && p !== '..' && !isAbsolute(p)).sort();
}

/** Golden responses go into the plan unless they would bloat it (a model's raw tensors, say). */
function goldenForPlan(golden: unknown[]): { golden?: unknown[] } {
  return JSON.stringify(golden).length <= 256 * 1024 ? { golden } : {};
}

function describeSteps(steps: readonly PlanStep[]): string[] {
  const out: string[] = [];
  const prunes = steps.filter((s) => s.kind === 'prune');
  if (prunes.length > 0) out.push(`prune: ${prunes.length} rules, ${prunes.reduce((n, s) => n + s.files.length, 0)} files, ${prunes.reduce((n, s) => n + s.bytes, 0)} bytes`);
  const keeps = steps.filter((s) => s.kind === 'keep');
  if (keeps.length > 0) out.push(`keep: ${keeps.reduce((n, s) => n + s.files.length, 0)} files learned by bisection`);
  for (const s of steps) if (s.kind === 'quantize') out.push(`quantize: ${s.modelPath} ${s.variant}`);
  for (const s of steps) if (s.kind === 'placement') out.push(`placement: ${s.strategy}`);
  return out;
}

function lowestCosine(steps: readonly PlanStep[]): number | null {
  const c = steps.flatMap((s) => (s.kind === 'quantize' && s.accuracy.cosine !== null ? [s.accuracy.cosine] : []));
  return c.length ? Math.min(...c) : null;
}

