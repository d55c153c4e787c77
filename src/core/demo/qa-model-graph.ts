import { DataType } from '../onnx/data-type.js';
import { ModelBuilder } from '../onnx/model-builder.js';
import type { OnnxModel } from '../onnx/onnx-types.js';
import { QaModelRandom } from './qa-model-random.js';
import type { QaModelSpec } from './qa-model-spec.js';

/** Options for building the QA graph in memory. */
export interface QaModelGraphOptions {
  spec: QaModelSpec;
  seed: number;
  /** Standard deviation of the Gaussian weights (BERT's initializer range). */
  std?: number;
}

/**
 * Additive attention-mask bias for padded positions. -1e4 rather than -inf or finfo.min: it
 * survives fp16 conversion unchanged (converters clamp constants to ±1e4, reference §4) and
 * still drives softmax weights to exactly zero in fp32.
 */
const MASK_BIAS = -10000;

/**
 * Builds a DistilBERT-for-QA-shaped ONNX model (opset 17, post-LayerNorm encoder, Erf GELU that
 * onnxruntime fuses into Gelu) with seeded Gaussian weights. Pure: returns the model in memory;
 * the weight arrays are referenced by the tensors, not copied.
 */
export function buildQaModelGraph(opts: QaModelGraphOptions): OnnxModel {
  const { spec, seed } = opts;
  const std = opts.std ?? 0.02;
  if (spec.hidden % spec.heads !== 0) throw new RangeError(`hidden ${spec.hidden} is not divisible by heads ${spec.heads}`);
  const headDim = spec.hidden / spec.heads;
  const mb = new ModelBuilder({ opset: 17, producerName: 'lambdafit', graphName: 'distilbert_qa' });
  const g = mb.graph;

  const gaussian = (name: string, dims: number[]): string => {
    const values = new QaModelRandom(seed, name).fillGaussian(new Float32Array(dims.reduce((a, b) => a * b, 1)), std);
    return g.floats(name, dims, values);
  };
  const filled = (name: string, size: number, value: number): string => g.floats(name, [size], new Float32Array(size).fill(value));
  const scalar = (name: string, value: number): string => g.floats(name, [], [value]);
  const ints = (name: string, values: number[]): string => g.int64s(name, [values.length], values);
  const linear = (x: string, prefix: string, inDim: number, outDim: number): string => {
    const w = gaussian(`${prefix}.weight`, [inDim, outDim]);
    const b = gaussian(`${prefix}.bias`, [outDim]);
    return g.op('Add', [g.op('MatMul', [x, w], undefined, { name: `${prefix}/MatMul` }), b], undefined, { name: `${prefix}/Add` });
  };
  const layerNorm = (x: string, prefix: string): string =>
    g.op('LayerNormalization', [x, filled(`${prefix}.weight`, spec.hidden, 1), filled(`${prefix}.bias`, spec.hidden, 0)], { axis: -1, epsilon: 1e-12 }, { name: prefix });

  const inputIds = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const attentionMask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);

  // Embeddings: word lookup plus the first `sequence` rows of the position table.
  const emb = 'distilbert.embeddings';
  const words = g.op('Gather', [gaussian(`${emb}.word_embeddings.weight`, [spec.vocabSize, spec.hidden]), inputIds], { axis: 0 }, { name: `${emb}/word_embeddings` });
  const inputShape = g.op('Shape', [inputIds]);
  const seqLen = g.op('Slice', [inputShape, ints('const_one', [1]), ints('const_two', [2])]);
  const positions = g.op('Slice', [gaussian(`${emb}.position_embeddings.weight`, [spec.maxPositions, spec.hidden]), ints('const_zero', [0]), seqLen, ints('const_axis0', [0])], undefined, { name: `${emb}/position_embeddings` });
  let x = layerNorm(g.op('Add', [words, positions]), `${emb}.LayerNorm`);

  // Mask bias [batch, 1, 1, sequence]: 0 where attended, MASK_BIAS where padded.
  const maskFloat = g.op('Cast', [attentionMask], { to: DataType.FLOAT });
  const inverted = g.op('Sub', [scalar('const_one_f', 1), maskFloat]);
  const maskBias = g.op('Unsqueeze', [g.op('Mul', [inverted, scalar('mask_bias_value', MASK_BIAS)]), ints('mask_axes', [1, 2])], undefined, { name: 'attention_mask_bias' });

  const splitHeads = ints('split_heads_shape', [0, 0, spec.heads, headDim]);
  const mergeHeads = ints('merge_heads_shape', [0, 0, spec.hidden]);
  const scale = scalar('attention_scale', 1 / Math.sqrt(headDim));
  const sqrt2 = scalar('gelu_sqrt2', Math.SQRT2);
  const one = scalar('gelu_one', 1);
  const half = scalar('gelu_half', 0.5);

  for (let l = 0; l < spec.layers; l++) {
    const p = `distilbert.transformer.layer.${l}`;
    const heads = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, splitHeads])], { perm });
    const q = heads(g.op('Mul', [linear(x, `${p}.attention.q_lin`, spec.hidden, spec.hidden), scale]), [0, 2, 1, 3]);
    const k = heads(linear(x, `${p}.attention.k_lin`, spec.hidden, spec.hidden), [0, 2, 3, 1]);
    const v = heads(linear(x, `${p}.attention.v_lin`, spec.hidden, spec.hidden), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('MatMul', [q, k], undefined, { name: `${p}/attention/scores` }), maskBias]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const context = g.op('MatMul', [probs, v], undefined, { name: `${p}/attention/context` });
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), mergeHeads]);
    const attnOut = linear(merged, `${p}.attention.out_lin`, spec.hidden, spec.hidden);
    x = layerNorm(g.op('Add', [attnOut, x]), `${p}.sa_layer_norm`);

    // GELU(h) = 0.5·h·(1 + erf(h/√2)), in the operand order onnxruntime's GeluFusion matches.
    const h = linear(x, `${p}.ffn.lin1`, spec.hidden, spec.ffn);
    const gelu = g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, sqrt2])]), one])]), half]);
    const ffnOut = linear(gelu, `${p}.ffn.lin2`, spec.ffn, spec.hidden);
    x = layerNorm(g.op('Add', [ffnOut, x]), `${p}.output_layer_norm`);
  }

  const logits = linear(x, 'qa_outputs', spec.hidden, 2);
  const [startRaw, endRaw] = ['start_logits_raw', 'end_logits_raw'];
  g.node('Split', [logits, ints('qa_split', [1, 1])], [startRaw, endRaw], { attributes: { axis: -1 } });
  const lastAxis = ints('qa_squeeze_axes', [-1]);
  g.node('Squeeze', [startRaw, lastAxis], ['start_logits']);
  g.node('Squeeze', [endRaw, lastAxis], ['end_logits']);
  g.output('start_logits', DataType.FLOAT, ['batch', 'sequence']);
  g.output('end_logits', DataType.FLOAT, ['batch', 'sequence']);

  const model = mb.build();
  return {
    ...model,
    docString: 'DistilBERT-for-question-answering-shaped model with seeded random weights, generated by lambdafit for its demo and benchmarks.',
    metadataProps: [
      { key: 'lambdafit.generator', value: 'qa-model' },
      { key: 'lambdafit.seed', value: String(seed) },
      { key: 'lambdafit.spec', value: JSON.stringify(spec) },
    ],
  };
}
