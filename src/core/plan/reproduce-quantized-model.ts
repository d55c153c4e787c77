import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import type { QuantizeStep } from './fit-plan.js';
import type { OperationOptions } from '../progress.js';
import type { QuantizeRequestMode } from '../quantize/quantize-types.js';
import { quantizeOnnxFile } from '../quantize/quantize-onnx-file.js';
import { hashFile, type QuantizedModelCache } from '../quantize/quantized-model-cache.js';

/** Options of {@link reproduceQuantizedModel}. */
export interface ReproduceQuantizedModelOptions extends OperationOptions {
  /** The plan's quantize step: model path, mode, variant and the sha256 the file must have. */
  step: QuantizeStep;
  /** The unquantized model as it is in the input (read only). */
  inputModel: string;
  /** Where the quantized file goes. */
  dest: string;
  /** Cache to take the file from and to fill on a rebuild; undefined to always rebuild. */
  cache?: QuantizedModelCache;
}

/** How the quantized file was obtained. */
export type ReproducedFrom = 'cache' | 'quantized';

/**
 * Puts the exact quantized model a plan step pins (`outputHash`) at `dest`: from the cache when
 * it holds it, else by quantizing the input model again with the step's mode — the quantizer is
 * deterministic for int8, int4 and fp16, so the bytes must come out the same. A different hash
 * throws InputError (and `dest` is removed) rather than shipping a model nobody verified.
 */
export async function reproduceQuantizedModel(options: ReproduceQuantizedModelOptions): Promise<ReproducedFrom> {
  const { step, dest, cache } = options;
  if (cache && (await cache.retrieve(step.outputHash, dest))) return 'cache';
  await mkdir(dirname(dest), { recursive: true });
  options.onProgress?.({ type: 'phase', phase: 'quantize', message: `Quantized ${step.modelPath} is not in the cache: quantizing it again (${step.mode})…` });
  // `auto` chooses by the gate, so only it needs the gate; a fixed mode is pure arithmetic.
  const mode = (step.variant === step.mode ? step.mode : 'auto') as QuantizeRequestMode;
  await quantizeOnnxFile(options.inputModel, {
    mode,
    out: dest,
    verify: mode === 'auto',
    minCosine: step.accuracy.minCosine,
    externalData: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const hash = await hashFile(dest);
  if (hash !== step.outputHash) {
    await rm(dest, { force: true });
    throw new InputError(
      `Quantizing ${step.modelPath} again (${step.variant}) gave a different file (sha256 ${hash.slice(0, 12)}… instead of the plan's ${step.outputHash.slice(0, 12)}…); re-run \`lambdafit fit --out <plan>\` with this lambdafit so the verified model is cached, then export again.`,
      'E_QUANTIZE_NOT_REPRODUCIBLE',
    );
  }
  if (cache) await cache.store(dest, hash);
  return 'quantized';
}
