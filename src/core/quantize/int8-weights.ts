/**
 * Symmetric int8 weight quantization, as onnxruntime's `quantize_dynamic` does it for S8 weights
 * (reference/quantization.md §1): scale = absmax/127 (per tensor or per channel), zero point 0,
 * q = clip(round_half_even(w/scale), -127, 127); a zero range gets scale 1.
 */

/** 1.5·2^52: adding and subtracting it rounds a double to an integer, ties to even, for |x| < 2^51. */
const ROUND_MAGIC = 6755399441055744;
const FLT_MIN = 1.1754943508222875e-38;

/** Which values share one scale. */
export type Int8Granularity =
  /** One scale for the whole tensor. */
  | 'tensor'
  /** One scale per column of a [rows, cols] matrix (MatMul B [K,N]: per output feature). */
  | 'column'
  /** One scale per row of a [rows, cols] matrix (Conv W [M, …], embedding tables [V, D]). */
  | 'row';

/** Quantized weights and their scales (zero points are all 0). */
export interface Int8Weights {
  q: Int8Array;
  /** One scale (tensor), `cols` scales (column) or `rows` scales (row). */
  scales: Float32Array;
}

/** Options for {@link quantizeInt8}. */
export interface Int8Options {
  granularity: Int8Granularity;
  /** Largest |q|: 127 normally, 64 for onnxruntime's `reduce_range` (7-bit weights). */
  qmax?: number;
}

function scaleFor(absmax: number, qmax: number): number {
  const s = Math.fround(absmax / qmax);
  return s < FLT_MIN ? 1 : s;
}

/** Quantizes `w`, viewed as a row-major [rows, cols] matrix, to symmetric int8. */
export function quantizeInt8(w: Float32Array, rows: number, cols: number, opts: Int8Options): Int8Weights {
  if (rows * cols !== w.length) throw new RangeError(`quantizeInt8: ${w.length} values are not ${rows}×${cols}`);
  const qmax = opts.qmax ?? 127;
  const q = new Int8Array(w.length);
  if (opts.granularity === 'column') {
    const absmax = new Float64Array(cols);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) {
        const a = Math.abs(w[i]!);
        if (a > absmax[c]!) absmax[c] = a;
      }
    }
    const scales = new Float32Array(cols);
    const inv = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      scales[c] = scaleFor(absmax[c]!, qmax);
      inv[c] = 1 / scales[c]!;
    }
    // |w|·(1/scale) ≤ qmax·(1 + 2^-24) by construction, so the rounded value never leaves
    // [-qmax, qmax]: no clamp needed in the hot loop.
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) q[i] = w[i]! * inv[c]! + ROUND_MAGIC - ROUND_MAGIC;
    }
    return { q, scales };
  }
  const groups = opts.granularity === 'row' ? rows : 1;
  const span = opts.granularity === 'row' ? cols : w.length;
  const scales = new Float32Array(groups);
  for (let g = 0; g < groups; g++) {
    const start = g * span;
    const end = start + span;
    let absmax = 0;
    for (let i = start; i < end; i++) {
      const a = Math.abs(w[i]!);
      if (a > absmax) absmax = a;
    }
    const scale = scaleFor(absmax, qmax);
    scales[g] = scale;
    const inv = 1 / scale;
    for (let i = start; i < end; i++) q[i] = w[i]! * inv + ROUND_MAGIC - ROUND_MAGIC;
  }
  return { q, scales };
}

/** The float values int8 weights stand for (for checks and per-layer error estimates). */
export function dequantizeInt8(weights: Int8Weights, rows: number, cols: number, granularity: Int8Granularity): Float32Array {
  const out = new Float32Array(weights.q.length);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) {
      const s = granularity === 'tensor' ? weights.scales[0]! : granularity === 'row' ? weights.scales[r]! : weights.scales[c]!;
      out[i] = weights.q[i]! * s;
    }
  }
  return out;
}
