import { realpathSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, throwIfAborted, UsageError } from '../errors.js';
import { inspectDecodedModel } from '../onnx/inspect-model.js';
import type { OnnxModel } from '../onnx/onnx-types.js';
import { readOnnxModel } from '../onnx/read-onnx-model.js';
import { writeOnnxModel, type WriteOnnxResult } from '../onnx/write-onnx-model.js';
import { compareOutputs, evaluateGate, type AccuracyReport } from './compare-outputs.js';
import { describeInputs } from './describe-inputs.js';
import { loadInputsFile } from './load-inputs-file.js';
import type { QuantizeMode } from './plan-quantization.js';
import { checkQuantizable, quantizeModel, type QuantizedModel } from './quantize-model.js';
import type { QuantizeAttempt, QuantizeFileOptions, QuantizeFileResult } from './quantize-types.js';
import { rankLayerSensitivity, type LayerSensitivity } from './rank-layer-sensitivity.js';
import { measureModel, ProbeError, type ProbeMeasurement, type ProbeSample } from './run-ort-probe.js';
import { synthesizeInputs } from './synthesize-inputs.js';

const FP16_NOTE = 'fp16 is disk only: onnxruntime CPU kernels convert the weights back to fp32 at load, so RAM and latency stay those of fp32 (as measured).';
const WEIGHTS_ONLY_NOTE = 'Conv weights are stored as int8 and expanded to fp32 at load: they shrink the file, not the RAM.';

/** Same file, even through symlinks or different spellings of the path. */
function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

/** The default output next to the input: `model.onnx` → `model.int8.onnx`. */
export function defaultOutputPath(input: string, variant: string): string {
  return join(dirname(input), `${basename(input).replace(/\.onnx$/i, '')}.${variant}.onnx`);
}

interface Candidate {
  attempt: QuantizeAttempt;
  quantized: QuantizedModel;
  accuracy: AccuracyReport | null;
  measured: ProbeMeasurement | null;
  written: WriteOnnxResult;
}

/**
 * Quantizes an ONNX file and checks the result against the original in onnxruntime (each model
 * in its own child process), writing the output atomically and never over the input. `auto`
 * tries int8, then mixed precision (worst layers by SQNR left in fp32), then int4, and keeps the
 * smallest variant that passes the gate.
 */
export async function quantizeOnnxFile(inputPath: string, opts: QuantizeFileOptions = {}): Promise<QuantizeFileResult> {
  const mode = opts.mode ?? 'int8';
  const verify = opts.verify ?? true;
  if (mode === 'auto' && !verify) throw new UsageError('--mode auto chooses by the accuracy gate, so it cannot run without verification.');
  const minCosine = opts.minCosine ?? 0.99;
  const input = resolve(inputPath);
  const progress = opts.onProgress ?? (() => undefined);
  const t0 = performance.now();
  progress({ type: 'quantize:step', step: 'read', message: `Reading ${input}` });
  const externalFiles = new Set<string>();
  const model = await readOnnxModel(input, { externalFiles });
  const opset = checkQuantizable(model, input);
  let inputBytes = (await stat(input)).size;
  for (const f of externalFiles) inputBytes += (await stat(f)).size;
  const info = inspectDecodedModel(model, inputBytes);
  const readMs = performance.now() - t0;
  const outFor = (variant: string) => (opts.out ? resolve(opts.out) : defaultOutputPath(input, variant));
  const assertNotInput = (out: string) => {
    if (samePath(out, input) || [...externalFiles].some((f) => samePath(out, f))) {
      throw new UsageError(`The output ${out} would overwrite the input; choose another --out.`);
    }
  };
  assertNotInput(outFor(mode));

  const timings = { readMs, quantizeMs: 0, writeMs: 0, verifyMs: 0 };
  let samples: ProbeSample[] = [];
  let reference: ProbeMeasurement | null = null;
  const specs = describeInputs(model, input);
  const sequenceLength = specs.some((s) => s.role === 'token-ids') ? (opts.sequenceLength ?? 128) : null;
  if (verify) {
    samples = opts.inputsFile
      ? await loadInputsFile(opts.inputsFile, specs)
      : synthesizeInputs(specs, { samples: opts.samples, sequenceLength: opts.sequenceLength, imageSize: opts.imageSize });
    progress({ type: 'quantize:step', step: 'measure', message: `Running the original model on ${samples.length} inputs` });
    const tv = performance.now();
    try {
      reference = await measureModel(input, samples, { threads: opts.threads, signal: opts.signal });
    } catch (err) {
      if (err instanceof ProbeError) {
        throw new InputError(`onnxruntime cannot run ${input} (${err.message}); lambdafit can only quantize models onnxruntime runs.`, 'E_ONNX_UNSUPPORTED');
      }
      throw err;
    }
    timings.verifyMs += performance.now() - tv;
  }

  const build = async (m: QuantizeMode, variant: string, exclude: ReadonlySet<string>, out: string): Promise<Candidate> => {
    throwIfAborted(opts.signal);
    progress({ type: 'quantize:step', step: 'quantize', message: `Quantizing (${variant})` });
    const tq = performance.now();
    const quantized = quantizeModel(model, { mode: m, exclude, perChannel: opts.perChannel, reduceRange: opts.reduceRange, int4Asymmetric: opts.int4Asymmetric, convInteger: opts.convInteger, source: input });
    timings.quantizeMs += performance.now() - tq;
    const tw = performance.now();
    const written = await writeOnnxModel(quantized.model, out, { externalData: opts.externalData, signal: opts.signal });
    timings.writeMs += performance.now() - tw;
    const bytes = written.bytes + (written.externalDataBytes ?? 0);
    const attempt: QuantizeAttempt = { variant, mode: m, excluded: [...exclude], bytes, nodesQuantized: quantized.nodesQuantized, cosine: null, top1Agreement: null, latencyMs: null, peakRssMB: null, passed: !verify, reasons: [] };
    if (!verify) return { attempt, quantized, accuracy: null, measured: null, written };
    progress({ type: 'quantize:step', step: 'measure', message: `Running the ${variant} model on ${samples.length} inputs` });
    const tv = performance.now();
    let measured: ProbeMeasurement | null = null;
    let accuracy: AccuracyReport | null = null;
    try {
      measured = await measureModel(out, samples, { threads: opts.threads, signal: opts.signal });
      accuracy = compareOutputs(reference!.outputs, measured.outputs);
      const gate = evaluateGate(accuracy, { minCosine, minTop1: opts.minTop1 });
      Object.assign(attempt, { cosine: accuracy.cosine, top1Agreement: accuracy.top1Agreement, latencyMs: measured.latency.medianMs, peakRssMB: measured.peakRssMB, passed: gate.passed, reasons: gate.reasons });
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      Object.assign(attempt, { passed: false, reasons: [`onnxruntime could not run the ${variant} model: ${err.message}`] });
    }
    timings.verifyMs += performance.now() - tv;
    progress({ type: 'quantize:attempt', variant, bytes, cosine: attempt.cosine, passed: attempt.passed });
    const cos = attempt.cosine === null ? 'not run' : `cosine ${attempt.cosine.toFixed(5)}`;
    progress({ type: 'log', level: 'info', message: `${variant}: ${(bytes / 1048576).toFixed(1)} MB, ${cos}, ${attempt.passed ? 'passes' : 'fails'} the gate` });
    return { attempt, quantized, accuracy, measured, written };
  };

  const attempts: QuantizeAttempt[] = [];
  let chosen: Candidate;
  let sensitivity: LayerSensitivity[] | undefined;
  if (mode !== 'auto') {
    chosen = await build(mode, mode, new Set(), outFor(mode));
    attempts.push(chosen.attempt);
  } else {
    const workDir = await mkdtemp(join(dirname(outFor('auto')), '.lambdafit-quantize-'));
    try {
      const found = await searchAuto(build, workDir, attempts, info.estimatedFp16Bytes, async (int8) => {
        progress({ type: 'quantize:step', step: 'sensitivity', message: 'Ranking layers by SQNR to find the ones to keep in fp32' });
        const tv = performance.now();
        sensitivity = await rankLayerSensitivity(model, int8.quantized.model, int8.quantized.plan, samples.slice(0, 4), workDir, { threads: opts.threads, signal: opts.signal });
        timings.verifyMs += performance.now() - tv;
        return sensitivity;
      });
      // Rebuild the winner at its final path (deterministic: same bytes as the verified file).
      const final = outFor(found.attempt.variant.replace('-mixed', ''));
      assertNotInput(final);
      const quantized = quantizeModel(model, { mode: found.attempt.mode, exclude: new Set(found.attempt.excluded), perChannel: opts.perChannel, reduceRange: opts.reduceRange, int4Asymmetric: opts.int4Asymmetric, convInteger: opts.convInteger, source: input });
      const written = await writeOnnxModel(quantized.model, final, { externalData: opts.externalData, signal: opts.signal });
      chosen = { ...found, quantized, written };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  const { attempt, quantized, accuracy, measured, written } = chosen;
  const notes: string[] = [];
  if (attempt.mode === 'fp16') notes.push(FP16_NOTE);
  if (quantized.plan.decisions.some((d) => d.action === 'int8-weights')) notes.push(WEIGHTS_ONLY_NOTE);
  if (quantized.nodesQuantized === 0) notes.push('Nothing to quantize: the model has no float weights lambdafit rewrites; the output equals the input.');
  const original = reference?.latency.medianMs ?? null;
  const quantizedMs = measured?.latency.medianMs ?? null;
  return {
    input: { path: input, bytes: inputBytes, parameters: info.parameters, opset, producer: info.producer },
    output: { path: written.path, bytes: written.bytes + (written.externalDataBytes ?? 0), externalDataPath: written.externalDataPath },
    mode: attempt.mode,
    requestedMode: mode,
    variant: attempt.variant,
    nodesQuantized: quantized.nodesQuantized,
    excludedNodes: attempt.excluded,
    decisions: quantized.plan.decisions,
    accuracy,
    latency: {
      originalMs: original,
      quantizedMs,
      speedup: original && quantizedMs ? original / quantizedMs : null,
      originalCpuMs: reference?.latency.cpuMs ?? null,
      quantizedCpuMs: measured?.latency.cpuMs ?? null,
      sequenceLength,
    },
    rss: { originalMB: reference?.peakRssMB ?? null, quantizedMB: measured?.peakRssMB ?? null },
    gate: { minCosine, minTop1: opts.minTop1 ?? null, inputs: opts.inputsFile ? resolve(opts.inputsFile) : 'synthesized', samples: samples.length },
    passed: attempt.passed,
    reasons: attempt.reasons,
    notes,
    sensitivity,
    attempts,
    timings,
  };
}

type Build = (m: QuantizeMode, variant: string, exclude: ReadonlySet<string>, out: string) => Promise<Candidate>;

/**
 * The `auto` search: int8; if it fails, mixed precision excluding the 1, 2, 4… worst layers (by
 * own SQNR) up to half of them; then int4 with the same exclusions; then fp16 when nothing passed
 * or when it would be smaller than what did (a model that needed many layers left in fp32).
 * Returns the smallest passing candidate, or the most accurate one when none passes.
 */
async function searchAuto(
  build: Build,
  workDir: string,
  attempts: QuantizeAttempt[],
  fp16Estimate: number,
  rank: (int8: Candidate) => Promise<LayerSensitivity[]>,
): Promise<Candidate> {
  const tried: Candidate[] = [];
  const run = async (m: QuantizeMode, variant: string, exclude: ReadonlySet<string>) => {
    const c = await build(m, variant, exclude, join(workDir, `${variant}-${tried.length}.onnx`));
    tried.push(c);
    attempts.push(c.attempt);
    return c;
  };
  const int8 = await run('int8', 'int8', new Set());
  let base: Candidate | undefined = int8.attempt.passed ? int8 : undefined;
  if (!base && int8.quantized.nodesQuantized > 1 && int8.accuracy) {
    const ranking = await rank(int8);
    for (let k = 1; k <= Math.ceil(ranking.length / 2); k *= 2) {
      const c = await run('int8', 'int8-mixed', new Set(ranking.slice(0, k).map((r) => r.node)));
      if (c.attempt.passed) {
        base = c;
        break;
      }
    }
  }
  if (base && base.quantized.plan.decisions.some((d) => d.action.startsWith('int8-matmul') || d.action === 'int8-gemm' || d.action === 'int8-gather')) {
    const excluded = new Set(base.attempt.excluded);
    await run('int4', excluded.size ? 'int4-mixed' : 'int4', excluded);
  }
  const smallest = () => Math.min(...tried.filter((c) => c.attempt.passed).map((c) => c.attempt.bytes));
  if (smallest() > fp16Estimate) await run('fp16', 'fp16', new Set());
  const passing = tried.filter((c) => c.attempt.passed).sort((a, b) => a.attempt.bytes - b.attempt.bytes);
  if (passing.length) return passing[0]!;
  return [...tried].sort((a, b) => (b.attempt.cosine ?? -1) - (a.attempt.cosine ?? -1))[0]!;
}
