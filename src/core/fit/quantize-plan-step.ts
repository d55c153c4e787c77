import { createReadStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import type { QuantizeStep } from '../plan/fit-plan.js';
import type { OperationOptions } from '../progress.js';
import type { QuantizeMode } from '../quantize/plan-quantization.js';
import { quantizeOnnxFile } from '../quantize/quantize-onnx-file.js';
import { measureChunks } from '../scan/measure-content.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';
import { openQuantizedModelCache } from '../quantize/quantized-model-cache.js';

/** Options of {@link quantizePlanStep}. */
export interface QuantizePlanStepOptions extends OperationOptions {
  /** Absolute path of the model in the staging baseline (read only). */
  modelFile: string;
  /** Its bundle path. */
  modelPath: string;
  mode: QuantizeMode;
  /** Folder the quantized file is written to (the staging area's work folder). */
  outDir: string;
  /** Accuracy gate on the model. @default 0.99 */
  minCosine?: number;
  /** Accuracy gate: top-1 agreement. */
  minTop1?: number;
  /** Synthesized samples for the gate. @default 16 */
  samples?: number;
  /** lambdafit cache folder that keeps the quantized file by hash for `export`/`check`, or false. @default defaultCacheDir() */
  cacheDir?: string | false;
}

/** A quantized model ready to be linked into a staging view, or why the gate refused it. */
export interface QuantizePlanStepResult {
  /** The plan step, when the model-level gate passed. */
  step: QuantizeStep | null;
  /** Absolute path of the quantized file. */
  outputFile: string;
  /** Why the gate failed (empty when it passed). */
  reasons: string[];
}

/**
 * Quantizes one model of the bundle with the ONNX quantizer and its direct accuracy gate (the
 * model alone, in onnxruntime), then measures the output's hash and deflated size so the plan can
 * predict the zip exactly. End-to-end verification through the handler is the caller's next step.
 */
export async function quantizePlanStep(options: QuantizePlanStepOptions): Promise<QuantizePlanStepResult> {
  const minCosine = options.minCosine ?? 0.99;
  const outputFile = join(options.outDir, `${options.modelPath.replace(/[^A-Za-z0-9._-]+/g, '_')}.${options.mode}.onnx`);
  const result = await quantizeOnnxFile(options.modelFile, {
    mode: options.mode,
    out: outputFile,
    minCosine,
    ...(options.minTop1 !== undefined ? { minTop1: options.minTop1 } : {}),
    samples: options.samples ?? 16,
    // One file: `export` links it into the zip under the model's own name.
    externalData: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // The sandbox runs the function as another user, as Lambda does: the file must be world-readable.
  await chmod(result.output.path, 0o644);
  const measured = await measureChunks(createReadStream(result.output.path), { hash: true, compress: true });
  const step: QuantizeStep = {
    kind: 'quantize',
    modelPath: options.modelPath,
    mode: result.mode,
    variant: result.variant,
    inputBytes: result.input.bytes,
    outputBytes: measured.size,
    outputCompressedBytes: measured.zipBytes ?? measured.size,
    outputHash: measured.hash!,
    accuracy: { cosine: result.accuracy?.cosine ?? null, top1Agreement: result.accuracy?.top1Agreement ?? null, minCosine, passed: result.passed },
  };
  // Export then ships exactly the file fit verifies, without quantizing again.
  if (result.passed && options.cacheDir !== false) await openQuantizedModelCache(options.cacheDir ?? defaultCacheDir()).store(result.output.path, step.outputHash);
  return { step: result.passed ? step : null, outputFile: result.output.path, reasons: result.reasons };
}
