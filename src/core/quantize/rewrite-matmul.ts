import { DataType } from '../onnx/data-type.js';
import type { OnnxNode } from '../onnx/onnx-types.js';
import { floatAttr, intAttr } from './graph-index.js';
import { quantizeInt8 } from './int8-weights.js';
import { quantizeMatMulNBits } from './nbits-weights.js';
import type { QuantizeAction } from './plan-quantization.js';
import { MS_DOMAIN, type RewriteContext } from './rewrite-context.js';

/** Options of the MatMul rewrites. */
export interface MatMulRewriteOptions {
  /** One int8 scale per output column (default) instead of one per tensor. */
  perChannel: boolean;
  /** 7-bit weights (±64), onnxruntime's `reduce_range`, against VPMADDUBSW saturation on pre-VNNI x86. */
  reduceRange: boolean;
  /** 4-bit blocks with zero points (min/max range) instead of symmetric ones. */
  int4Asymmetric?: boolean;
}

/** A MatMul-shaped view of a MatMul or Gemm: Y = X·W (+ C), W constant [K, N]. */
interface Linear {
  x: string;
  weightName: string;
  /** Row-major [K, N], alpha already folded in. */
  weight: () => Float32Array;
  K: number;
  N: number;
  /** Bias to add after the product (Gemm's C, scaled by beta when constant). */
  bias?: string;
  output: string;
  name: string;
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** Reads a MatMul, or turns a legal Gemm (transA=0) into MatMul form (reference §1). */
function asLinear(node: OnnxNode, ctx: RewriteContext): Linear {
  const weightName = node.input[1]!;
  const dims = ctx.index.constants.get(weightName)!.tensor.dims;
  const name = node.name || node.output[0]!;
  if (node.opType === 'MatMul') {
    return { x: node.input[0]!, weightName, weight: () => ctx.weightValues(weightName), K: dims[0]!, N: dims[1]!, output: node.output[0]!, name };
  }
  const transB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  const [K, N] = transB ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
  const weight = () => {
    let w = ctx.weightValues(weightName);
    if (transB) w = transpose(w, N, K);
    if (alpha !== 1) w = w.map((v) => v * alpha);
    return w;
  };
  let bias = node.input[2] || undefined;
  if (bias && beta !== 1) {
    const scaled = ctx.weightValues(bias).map((v) => v * beta);
    bias = ctx.tensor(`${bias}_beta`, DataType.FLOAT, ctx.index.constants.get(bias)!.tensor.dims, scaled);
  }
  return { x: node.input[0]!, weightName: `${weightName}${transB ? '_T' : ''}${alpha !== 1 ? '_alpha' : ''}`, weight, K, N, bias, output: node.output[0]!, name };
}

/**
 * Rewrites a MatMul or Gemm with a constant weight into its quantized form. The original output
 * name is kept, so consumers are untouched.
 */
export function rewriteMatMul(node: OnnxNode, action: QuantizeAction, ctx: RewriteContext, opts: MatMulRewriteOptions): OnnxNode[] {
  const lin = asLinear(node, ctx);
  const out: OnnxNode[] = [];
  const product = lin.bias ? ctx.names.unique(`${lin.output}_matmul`) : lin.output;
  if (action === 'int4-matmul' || action === 'int4-gemm') {
    const q = ctx.once(`nbits4:${opts.int4Asymmetric}:${lin.weightName}`, () => {
      const packed = quantizeMatMulNBits(lin.weight(), lin.K, lin.N, { bits: 4, blockSize: 32, symmetric: !opts.int4Asymmetric });
      return {
        b: ctx.tensor(`${lin.weightName}_Q4`, DataType.UINT8, [lin.N, packed.kBlocks, packed.blobSize], packed.packed),
        scales: ctx.tensor(`${lin.weightName}_scales`, DataType.FLOAT, [lin.N * packed.kBlocks], packed.scales),
        zeroPoints: packed.zeroPoints && ctx.tensor(`${lin.weightName}_zero_points`, DataType.UINT8, [lin.N * Math.ceil(packed.kBlocks / 2)], packed.zeroPoints),
      };
    });
    const inputs = q.zeroPoints ? [lin.x, q.b, q.scales, q.zeroPoints] : [lin.x, q.b, q.scales];
    out.push(ctx.node('MatMulNBits', inputs, [product], `${lin.name}_Q4`, { K: lin.K, N: lin.N, bits: 4, block_size: 32, accuracy_level: 4 }, MS_DOMAIN));
  } else {
    const granularity = opts.perChannel ? 'column' : 'tensor';
    const q = ctx.once(`int8:${granularity}:${opts.reduceRange}:${lin.weightName}`, () => {
      const w = quantizeInt8(lin.weight(), lin.K, lin.N, { granularity, qmax: opts.reduceRange ? 64 : 127 });
      const scaleDims = opts.perChannel ? [lin.N] : [];
      return {
        w: ctx.tensor(`${lin.weightName}_quantized`, DataType.INT8, [lin.K, lin.N], w.q),
        scale: ctx.tensor(`${lin.weightName}_scale`, DataType.FLOAT, scaleDims, w.scales),
        zeroPoint: ctx.tensor(`${lin.weightName}_zero_point`, DataType.INT8, scaleDims, new Int8Array(w.scales.length)),
      };
    });
    if (action === 'int8-matmul-contrib' || (action === 'int8-gemm' && ctx.index.opset < 11)) {
      out.push(ctx.node('DynamicQuantizeMatMul', [lin.x, q.w, q.scale, q.zeroPoint], [product], `${lin.name}_quant`, {}, MS_DOMAIN));
    } else {
      // One scales-Mul per MatMul: onnxruntime fuses MatMulInteger→Cast→Mul only when each has a single consumer.
      const a = ctx.quantizeActivation(lin.x, out);
      const int32 = ctx.names.unique(`${lin.output}_output_quantized`);
      const cast = ctx.names.unique(`${lin.output}_output_quantized_cast_output`);
      const scales = ctx.names.unique(`${lin.name}_quant_scales_mul:0`);
      out.push(ctx.node('MatMulInteger', [a.q, q.w, a.zeroPoint, q.zeroPoint], [int32], `${lin.name}_quant`));
      out.push(ctx.node('Cast', [int32], [cast], `${lin.name}_quant_output_scale_cast`, { to: DataType.FLOAT }));
      out.push(ctx.node('Mul', [a.scale, q.scale], [scales], `${lin.name}_quant_scales_mul`));
      out.push(ctx.node('Mul', [cast, scales], [product], `${lin.name}_quant_output_scale_mul`));
    }
  }
  if (lin.bias) out.push(ctx.node('Add', [product, lin.bias], [lin.output], `${lin.name}_bias_add`));
  return out;
}
