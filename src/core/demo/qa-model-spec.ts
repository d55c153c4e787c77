/**
 * The shape of the demo's DistilBERT-for-question-answering model (reference: ENVIRONMENT.md
 * "DistilBERT-QA reference shape"): what the generator builds and what the scan expects.
 */

/** Dimensions of a DistilBERT-style QA model. */
export interface QaModelSpec {
  /** Word-piece vocabulary size (rows of the word embedding table). */
  vocabSize: number;
  /** Hidden size (model width). */
  hidden: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads per block; must divide `hidden`. */
  heads: number;
  /** Feed-forward inner size. */
  ffn: number;
  /** Positions in the position embedding table (longest sequence). */
  maxPositions: number;
}

/** DistilBERT-base: 66.36 M parameters, ≈265 MB as fp32 ONNX. */
export const qaModelSpec: Readonly<QaModelSpec> = Object.freeze({
  vocabSize: 30522,
  hidden: 768,
  layers: 6,
  heads: 12,
  ffn: 3072,
  maxPositions: 512,
});

/** Parameters of a QA model with this spec (embeddings, blocks, QA head 768→2). */
export function qaModelParameterCount(spec: QaModelSpec = qaModelSpec): number {
  const { vocabSize: v, hidden: h, layers, ffn: f, maxPositions: p } = spec;
  const embeddings = v * h + p * h + 2 * h;
  const attention = 4 * (h * h + h);
  const feedForward = h * f + f + f * h + h;
  const layerNorms = 2 * 2 * h;
  const qaHead = h * 2 + 2;
  return embeddings + layers * (attention + feedForward + layerNorms) + qaHead;
}

/** Parameters of the default spec: 66,364,418. */
export const QA_MODEL_PARAMETERS = qaModelParameterCount(qaModelSpec);
