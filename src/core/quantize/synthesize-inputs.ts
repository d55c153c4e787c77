import type { InputSpec } from './describe-inputs.js';
import type { ProbeSample, ProbeTensor } from './run-ort-probe.js';
import { toFloat16Bits } from './float16.js';

/** Options for {@link synthesizeInputs}. */
export interface SynthesizeOptions {
  /** How many samples (default 32). */
  samples?: number;
  /** Length of token sequences for unknown sequence dims (default 128). */
  sequenceLength?: number;
  /** Height and width for unknown image dims (default 320, a multiple of 32 as detectors need). */
  imageSize?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

/** mulberry32: small, seedable, good enough to make varied test inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Concrete dims: declared sizes kept; unknown ones chosen from the input's role. */
export function concreteDims(spec: InputSpec, opts: SynthesizeOptions = {}): number[] {
  const seq = opts.sequenceLength ?? 128;
  const img = opts.imageSize ?? 320;
  const dims = spec.dims ?? (spec.role === 'image' ? [1, 3, undefined, undefined] : [1, undefined]);
  return dims.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i === 0) return 1;
    if (spec.role === 'image') return i === 1 ? 3 : img;
    return seq;
  });
}

function fill(spec: InputSpec, dims: number[], random: () => number): ProbeTensor {
  const count = dims.reduce((a, b) => a * b, 1);
  const last = dims[dims.length - 1] ?? 1;
  const values = new Float64Array(count);
  switch (spec.role) {
    case 'mask':
      values.fill(1);
      break;
    case 'token-type':
      break; // segment 0 everywhere: a single-segment input
    case 'position-ids':
      for (let i = 0; i < count; i++) values[i] = i % last;
      break;
    case 'token-ids': {
      // Ids across the table, avoiding 0 (usually padding).
      const vocab = spec.vocabSize ?? 1000;
      for (let i = 0; i < count; i++) values[i] = 1 + Math.floor(random() * Math.max(1, vocab - 1));
      break;
    }
    case 'image': {
      // A smooth background plus a few high-contrast bars (text-like), in the [-1, 1] range
      // normalized images have, rather than white noise no real input looks like.
      const [n, c, h, w] = [dims[0] ?? 1, dims[1] ?? 3, dims[2] ?? 1, dims[3] ?? 1];
      for (let b = 0; b < n; b++) {
        const fx = 1 + random() * 4;
        const fy = 1 + random() * 4;
        const phase = random() * Math.PI * 2;
        const bars = Array.from({ length: 3 + Math.floor(random() * 5) }, () => ({ y: random(), x: random() * 0.5, len: 0.2 + random() * 0.5, th: 0.03 + random() * 0.08, v: random() < 0.5 ? -0.9 : 0.9 }));
        for (let ch = 0; ch < c; ch++) {
          const tint = (random() - 0.5) * 0.2;
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const u = x / w;
              const v = y / h;
              let val = 0.5 * Math.sin(fx * u * Math.PI + phase) * Math.cos(fy * v * Math.PI) + tint + (random() - 0.5) * 0.1;
              for (const bar of bars) if (Math.abs(v - bar.y) < bar.th && u > bar.x && u < bar.x + bar.len) val = bar.v;
              values[((b * c + ch) * h + y) * w + x] = Math.max(-1, Math.min(1, val));
            }
          }
        }
      }
      break;
    }
    default:
      if (spec.type.startsWith('float')) {
        for (let i = 0; i < count; i += 2) {
          const r = Math.sqrt(-2 * Math.log(random() + 1e-12));
          const t = 2 * Math.PI * random();
          values[i] = r * Math.cos(t);
          if (i + 1 < count) values[i + 1] = r * Math.sin(t);
        }
      }
  }
  return toTensor(spec.type, dims, values);
}

/** Packs numbers into the typed array onnxruntime expects for `type`. */
export function toTensor(type: ProbeTensor['type'], dims: number[], values: ArrayLike<number>): ProbeTensor {
  switch (type) {
    case 'float32':
      return { type, dims, data: Float32Array.from(values) };
    case 'float64':
      return { type, dims, data: Float64Array.from(values) };
    case 'float16':
      return { type, dims, data: Uint16Array.from(values, toFloat16Bits) };
    case 'int64':
      return { type, dims, data: BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))) };
    case 'int32':
      return { type, dims, data: Int32Array.from(values) };
    case 'int16':
      return { type, dims, data: Int16Array.from(values) };
    case 'int8':
      return { type, dims, data: Int8Array.from(values) };
    case 'uint16':
      return { type, dims, data: Uint16Array.from(values) };
    default:
      return { type, dims, data: Uint8Array.from(values, (v) => (type === 'bool' ? (v ? 1 : 0) : v)) };
  }
}

/**
 * Makes realistic inputs from the graph's input specs (deterministic for a seed): token ids
 * within the embedding table's range, masks of ones, single-segment type ids, position ids
 * 0…S−1, smooth images in [-1, 1], Gaussian features.
 */
export function synthesizeInputs(specs: readonly InputSpec[], opts: SynthesizeOptions = {}): ProbeSample[] {
  const random = prng(opts.seed ?? 1);
  const samples: ProbeSample[] = [];
  for (let s = 0; s < (opts.samples ?? 32); s++) {
    const sample: ProbeSample = {};
    for (const spec of specs) sample[spec.name] = fill(spec, concreteDims(spec, opts), random);
    samples.push(sample);
  }
  return samples;
}
