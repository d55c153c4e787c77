import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/core/onnx/data-type.js';
import { serializeOnnxModel } from '../../../src/core/onnx/encode-onnx-model.js';
import { ModelBuilder } from '../../../src/core/onnx/model-builder.js';
import { fromFloat16Bits, toFloat16Bits } from '../../../src/core/quantize/float16.js';
import { dequantizeInt8, quantizeInt8 } from '../../../src/core/quantize/int8-weights.js';
import { quantizeGatherBlocks, quantizeMatMulNBits } from '../../../src/core/quantize/nbits-weights.js';
import { hasPythonOnnx, runPython } from '../onnx/python-onnx.js';

function randomMatrix(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 0.2;
  });
}

describe('int8 weights', () => {
  it.runIf(hasPythonOnnx)('match onnxruntime quantize_dynamic S8 weights (numpy reference), per tensor and per column', () => {
    const [K, N] = [37, 11];
    const w = randomMatrix(K * N, 3);
    w[5] = 0.5; // an outlier, so column scales differ
    for (const granularity of ['tensor', 'column'] as const) {
      const ours = quantizeInt8(w, K, N, { granularity });
      const ref = JSON.parse(
        runPython(
          `w = np.array(json.loads(sys.argv[1]), dtype=np.float32).reshape(${K}, ${N})
axis = ${granularity === 'column' ? '0' : 'None'}
absmax = np.maximum(np.abs(np.minimum(w.min(axis=axis), 0)), np.abs(np.maximum(w.max(axis=axis), 0))).astype(np.float32)
scale = (2 * absmax / np.float32(254)).astype(np.float32)
q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
print(json.dumps({"q": q.flatten().tolist(), "scale": np.atleast_1d(scale).tolist()}))`,
          [JSON.stringify(Array.from(w))],
        ),
      ) as { q: number[]; scale: number[] };
      expect(Array.from(ours.scales)).toEqual(ref.scale.map(Math.fround));
      const mismatches = Array.from(ours.q).filter((v, i) => v !== ref.q[i]).length;
      // Ties can round differently between w·(1/scale) and w/scale in float32; allow a handful.
      expect(mismatches).toBeLessThanOrEqual(2);
    }
  });

  it('rounds to within half a step, uses zero points of 0, and maps an all-zero row to scale 1', () => {
    const w = Float32Array.from([0, 0, 0, 0.3, -0.6, 0.15]);
    const q = quantizeInt8(w, 2, 3, { granularity: 'row' });
    expect(q.scales[0]).toBe(1);
    expect(Array.from(q.q.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(q.q[4]).toBe(-127);
    const back = dequantizeInt8(q, 2, 3, 'row');
    for (let i = 3; i < 6; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(q.scales[1]! / 2 + 1e-7);
    const reduced = quantizeInt8(w, 2, 3, { granularity: 'row', qmax: 64 });
    expect(Math.min(...reduced.q)).toBe(-64);
  });
});

describe('fp16', () => {
  it('rounds to nearest even, keeps subnormals, saturates past 65504', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7bff);
    expect(toFloat16Bits(-Infinity)).toBe(0xfbff);
    expect(toFloat16Bits(2 ** -24)).toBe(1);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
    for (const v of [0.1, -3.14159, 1e-4, 1234.5]) expect(Math.abs(fromFloat16Bits(toFloat16Bits(v)) - v)).toBeLessThan(Math.abs(v) * 2 ** -10);
  });
});

describe('4-bit blocks in onnxruntime', () => {
  it('MatMulNBits on our packing equals an fp32 MatMul of our dequantization (K=100 pads a block)', async () => {
    const [M, K, N] = [3, 100, 24];
    const w = randomMatrix(K * N, 9);
    const packed = quantizeMatMulNBits(w, K, N, { bits: 4, blockSize: 32 });
    // Dequantize in JS: w = (q − 8)·scale.
    const deq = new Float32Array(K * N);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const b = Math.floor(k / 32);
        const e = k % 32;
        const byte = packed.packed[(n * packed.kBlocks + b) * packed.blobSize + (e >> 1)]!;
        const q = e & 1 ? byte >> 4 : byte & 15;
        deq[k * N + n] = (q - 8) * packed.scales[n * packed.kBlocks + b]!;
      }
    }
    const x = randomMatrix(M * K, 4);
    const mb = new ModelBuilder({ opset: 17 }).opset('com.microsoft', 1);
    const g = mb.graph;
    g.input('x', DataType.FLOAT, [M, K]);
    const B = g.initializer('B', DataType.UINT8, [N, packed.kBlocks, packed.blobSize], packed.packed);
    const S = g.floats('S', [N * packed.kBlocks], packed.scales);
    g.node('MatMulNBits', ['x', B, S], ['y'], { domain: 'com.microsoft', attributes: { K, N, bits: 4, block_size: 32, accuracy_level: 0 } });
    g.output('y', DataType.FLOAT, [M, N]);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(serializeOnnxModel(mb.build()));
    const y = (await session.run({ x: new ort.Tensor('float32', x, [M, K]) })).y!.data as Float32Array;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let ref = 0;
        for (let k = 0; k < K; k++) ref += x[m * K + k]! * deq[k * N + n]!;
        expect(Math.abs(y[m * N + n]! - ref)).toBeLessThan(2e-5);
      }
    }
    // And the dequantized weights are close to the originals (4-bit: within one step).
    for (let i = 0; i < w.length; i++) expect(Math.abs(deq[i]! - w[i]!)).toBeLessThan(0.1 / 7 + 1e-6);
  });

  it('GatherBlockQuantized on our packing returns our dequantized rows', async () => {
    const [V, D] = [10, 64];
    const e = randomMatrix(V * D, 5);
    const packed = quantizeGatherBlocks(e, V, D, { bits: 4, blockSize: 32 });
    const mb = new ModelBuilder({ opset: 17 }).opset('com.microsoft', 1);
    const g = mb.graph;
    g.input('ids', DataType.INT64, [2]);
    const data = g.initializer('E', DataType.UINT8, [V, D / 2], packed.packed);
    const scales = g.floats('S', [V, packed.blocksPerRow], packed.scales);
    g.node('GatherBlockQuantized', [data, 'ids', scales], ['rows'], { domain: 'com.microsoft', attributes: { gather_axis: 0, quantize_axis: 1, block_size: 32, bits: 4 } });
    g.output('rows', DataType.FLOAT, [2, D]);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(serializeOnnxModel(mb.build()));
    const rows = (await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from([7n, 2n]), [2]) })).rows!.data as Float32Array;
    [7, 2].forEach((v, r) => {
      for (let d = 0; d < D; d++) {
        const byte = packed.packed[v * (D / 2) + (d >> 1)]!;
        const q = d & 1 ? byte >> 4 : byte & 15;
        const expected = (q - 8) * packed.scales[v * packed.blocksPerRow + Math.floor(d / 32)]!;
        expect(rows[r * D + d]).toBeCloseTo(expected, 6);
        expect(Math.abs(rows[r * D + d]! - e[v * D + d]!)).toBeLessThan(0.1 / 7 + 1e-6);
      }
    });
  });
});
