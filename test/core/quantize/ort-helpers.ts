import { serializeOnnxModel } from '../../../src/core/onnx/encode-onnx-model.js';
import type { OnnxModel } from '../../../src/core/onnx/onnx-types.js';

/** Feeds as plain typed arrays with dims. */
export type Feeds = Record<string, { type: 'float32' | 'int64'; data: Float32Array | BigInt64Array; dims: number[] }>;

/** Runs a model in onnxruntime-node (in-process; fine for small test models). */
export async function runModel(model: OnnxModel | Buffer | string, feeds: Feeds, opts: { optimizedModelFilePath?: string } = {}): Promise<Record<string, Float32Array>> {
  const ort = await import('onnxruntime-node');
  const source = typeof model === 'string' || Buffer.isBuffer(model) ? model : serializeOnnxModel(model);
  const session = await ort.InferenceSession.create(source as string, { graphOptimizationLevel: 'all', ...opts });
  const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(feeds)) input[k] = new ort.Tensor(v.type, v.data, v.dims);
  const out = await session.run(input);
  await session.release();
  const result: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  return result;
}

/** Cosine similarity of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
}

/** Deterministic pseudo-random floats in [-scale, scale]. */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296 - 0.5) * 2 * scale;
  });
}
