import { throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { writeOnnxModel } from '../onnx/write-onnx-model.js';
import { buildQaModelGraph } from './qa-model-graph.js';
import { qaModelParameterCount, qaModelSpec, type QaModelSpec } from './qa-model-spec.js';

export { qaModelSpec, qaModelParameterCount, QA_MODEL_PARAMETERS, type QaModelSpec } from './qa-model-spec.js';

/** Options for {@link generateQaModel}. */
export interface GenerateQaModelOptions extends OperationOptions {
  /** PRNG seed; the same seed (and spec) always gives a byte-identical file. Default 42. */
  seed?: number;
  /** Override dimensions, e.g. `{ layers: 1, vocabSize: 1000 }` for a small test model. */
  spec?: Partial<QaModelSpec>;
  /** Standard deviation of the Gaussian weights. Default 0.02 (BERT's initializer range). */
  std?: number;
}

/** What {@link generateQaModel} wrote. */
export interface GeneratedQaModel {
  path: string;
  bytes: number;
  parameters: number;
  spec: QaModelSpec;
  seed: number;
}

/**
 * Writes a DistilBERT-for-QA-shaped ONNX model (inputs `input_ids`, `attention_mask` int64
 * [batch, sequence]; outputs `start_logits`, `end_logits` float [batch, sequence]) with seeded
 * random weights: 66.36 M parameters, ≈265 MB for the default spec. Written atomically.
 */
export async function generateQaModel(outPath: string, opts: GenerateQaModelOptions = {}): Promise<GeneratedQaModel> {
  const spec: QaModelSpec = { ...qaModelSpec, ...opts.spec };
  const seed = opts.seed ?? 42;
  throwIfAborted(opts.signal);
  opts.onProgress?.({ type: 'phase', phase: 'generate-model', message: `Generating a ${(qaModelParameterCount(spec) / 1e6).toFixed(2)} M-parameter QA model (seed ${seed})` });
  const model = buildQaModelGraph({ spec, seed, std: opts.std });
  throwIfAborted(opts.signal);
  const written = await writeOnnxModel(model, outPath, { externalData: false, signal: opts.signal });
  return { path: outPath, bytes: written.bytes, parameters: qaModelParameterCount(spec), spec, seed };
}
