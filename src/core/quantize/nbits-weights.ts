/**
 * Block-wise 2/4/8-bit packing for onnxruntime's MatMulNBits and GatherBlockQuantized contrib
 * ops, matching MLAS `BlockwiseQuantizer` (reference/quantization.md §3 and §5).
 */

/** Rounds half away from zero, as MLAS does. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Packed MatMulNBits weights. */
export interface MatMulNBitsWeights {
  /** uint8 [N, kBlocks, blockSize·bits/8]. */
  packed: Uint8Array;
  /** float [N·kBlocks] (the layout onnxruntime's own tool writes). */
  scales: Float32Array;
  /** Packed uint8 [N, ceil(kBlocks·bits/8)] zero points; absent when symmetric (zp = 2^(bits-1)). */
  zeroPoints?: Uint8Array;
  kBlocks: number;
  blobSize: number;
}

/** Options for block-wise quantization. */
export interface NBitsOptions {
  /** 2, 4 or 8. */
  bits: number;
  /** A power of two ≥ 16; 32 keeps 4-bit error low (reference §3). */
  blockSize: number;
  /** Symmetric (no zero points) by default. */
  symmetric?: boolean;
}

/**
 * Quantizes a row-major fp32 weight W[K, N] for `MatMulNBits`: each block is `blockSize`
 * consecutive K values of one column n, rows past K padded with 0.
 */
export function quantizeMatMulNBits(w: Float32Array, K: number, N: number, opts: NBitsOptions): MatMulNBitsWeights {
  const { bits, blockSize } = opts;
  const symmetric = opts.symmetric ?? true;
  const kBlocks = Math.ceil(K / blockSize);
  const blobSize = (blockSize * bits) / 8;
  const levels = 2 ** bits - 1;
  const mid = 2 ** (bits - 1);
  const packed = new Uint8Array(N * kBlocks * blobSize);
  const scales = new Float32Array(N * kBlocks);
  const zpStride = Math.ceil((kBlocks * bits) / 8);
  const zeroPoints = symmetric ? undefined : new Uint8Array(N * zpStride);
  const vals = new Float32Array(blockSize);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      for (let e = 0; e < blockSize; e++) vals[e] = k0 + e < K ? w[(k0 + e) * N + n]! : 0;
      let scale: number;
      let zp: number;
      if (symmetric) {
        let m = 0;
        for (let e = 0; e < blockSize; e++) if (Math.abs(vals[e]!) > Math.abs(m)) m = vals[e]!;
        scale = Math.fround(-m / mid);
        zp = mid;
      } else {
        let mn = 0;
        let mx = 0;
        for (let e = 0; e < blockSize; e++) {
          mn = Math.min(mn, vals[e]!);
          mx = Math.max(mx, vals[e]!);
        }
        scale = Math.fround((mx - mn) / levels);
        zp = scale === 0 ? 0 : Math.min(levels, Math.max(0, roundHalfAway(-mn / scale)));
      }
      const inv = scale === 0 ? 0 : 1 / scale;
      const base = (n * kBlocks + b) * blobSize;
      for (let e = 0; e < blockSize; e++) {
        const q = Math.min(levels, Math.max(0, roundHalfAway(vals[e]! * inv + zp)));
        const bit = e * bits;
        packed[base + (bit >> 3)]! |= q << (bit & 7);
      }
      scales[n * kBlocks + b] = scale;
      if (zeroPoints) zeroPoints[n * zpStride + ((b * bits) >> 3)]! |= zp << ((b * bits) & 7);
    }
  }
  return { packed, scales, zeroPoints, kBlocks, blobSize };
}

/** Packed GatherBlockQuantized table (uint8 data, 4-bit values, blocks along the row). */
export interface GatherBlockWeights {
  /** uint8 [V, D·bits/8], low bits first. */
  packed: Uint8Array;
  /** float [V, D/blockSize]. */
  scales: Float32Array;
  blocksPerRow: number;
}

/**
 * Quantizes an embedding table E[V, D] for `GatherBlockQuantized` (gather_axis 0, quantize_axis
 * 1) with the default zero point 2^(bits-1), i.e. symmetric blocks along each row.
 */
export function quantizeGatherBlocks(e: Float32Array, V: number, D: number, opts: Omit<NBitsOptions, 'symmetric'>): GatherBlockWeights {
  const { bits, blockSize } = opts;
  if (D % blockSize !== 0) throw new RangeError(`embedding width ${D} is not a multiple of the block size ${blockSize}`);
  const blocksPerRow = D / blockSize;
  const levels = 2 ** bits - 1;
  const mid = 2 ** (bits - 1);
  const rowBytes = (D * bits) / 8;
  const packed = new Uint8Array(V * rowBytes);
  const scales = new Float32Array(V * blocksPerRow);
  for (let v = 0; v < V; v++) {
    for (let b = 0; b < blocksPerRow; b++) {
      const start = v * D + b * blockSize;
      let m = 0;
      for (let i = 0; i < blockSize; i++) if (Math.abs(e[start + i]!) > Math.abs(m)) m = e[start + i]!;
      const scale = Math.fround(-m / mid);
      const inv = scale === 0 ? 0 : 1 / scale;
      for (let i = 0; i < blockSize; i++) {
        const q = Math.min(levels, Math.max(0, roundHalfAway(e[start + i]! * inv + mid)));
        const bit = (b * blockSize + i) * bits;
        packed[v * rowBytes + (bit >> 3)]! |= q << (bit & 7);
      }
      scales[v * blocksPerRow + b] = scale;
    }
  }
  return { packed, scales, blocksPerRow };
}
