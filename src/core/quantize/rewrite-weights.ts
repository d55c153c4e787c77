import { DataType } from '../onnx/data-type.js';
import type { OnnxNode } from '../onnx/onnx-types.js';
import { tensorElementCount } from '../onnx/tensor-data.js';
import { float32ToFloat16 } from './float16.js';
import { quantizeInt8 } from './int8-weights.js';
import type { RewriteContext } from './rewrite-context.js';

/**
 * Weight-only storage tricks that keep the op untouched: the weight is stored small and turned
 * back into fp32 by constant nodes that produce the weight's original name.
 *  - int8: int8 per first-axis channel (Conv's output channels), Cast → Mul(scales);
 *  - fp16: fp16 bits, Cast to float.
 * onnxruntime folds these constant subgraphs at session creation, so the CPU still holds and
 * computes fp32: the file shrinks, the RAM and the latency do not (reference §4).
 */
export function rewriteWeightStorage(weight: string, kind: 'int8' | 'fp16', ctx: RewriteContext): OnnxNode[] {
  const tensor = ctx.index.constants.get(weight)!.tensor;
  const dims = tensor.dims;
  const values = ctx.weightValues(weight);
  const safe = weight.replace(/[^A-Za-z0-9_.:/-]/g, '_');
  if (kind === 'fp16') {
    const half = ctx.tensor(`${safe}_fp16`, DataType.FLOAT16, dims, float32ToFloat16(values));
    return [ctx.node('Cast', [half], [weight], `${safe}_fp16_cast`, { to: DataType.FLOAT })];
  }
  const rows = dims.length > 0 ? dims[0]! : 1;
  const cols = tensorElementCount(tensor) / rows;
  const w = quantizeInt8(values, rows, cols, { granularity: 'row' });
  const q = ctx.tensor(`${safe}_quantized`, DataType.INT8, dims, w.q);
  const scaleDims = dims.map((d, i) => (i === 0 ? d : 1));
  const scales = ctx.tensor(`${safe}_scale`, DataType.FLOAT, scaleDims, w.scales);
  const cast = ctx.names.unique(`${safe}_quantized_cast`);
  return [
    ctx.node('Cast', [q], [cast], `${safe}_dequantize_cast`, { to: DataType.FLOAT }),
    ctx.node('Mul', [cast, scales], [weight], `${safe}_dequantize_mul`),
  ];
}

const CONV_ATTRS = new Set(['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);

/**
 * Rewrites a Conv with a constant weight W[M, C/g, k…] as DynamicQuantizeLinear(X) →
 * ConvInteger(int8 W, zero point 0) → Cast → Mul(X scale × per-channel W scales [M,1,…]) (+ bias).
 */
export function rewriteConvInteger(node: OnnxNode, ctx: RewriteContext): OnnxNode[] {
  const weightName = node.input[1]!;
  const tensor = ctx.index.constants.get(weightName)!.tensor;
  const dims = tensor.dims;
  const M = dims[0]!;
  const name = node.name || node.output[0]!;
  const output = node.output[0]!;
  const spatial = dims.length - 2;
  const q = ctx.once(`conv8:${weightName}`, () => {
    const w = quantizeInt8(ctx.weightValues(weightName), M, tensorElementCount(tensor) / M, { granularity: 'row' });
    return {
      w: ctx.tensor(`${weightName}_quantized`, DataType.INT8, dims, w.q),
      scale: ctx.tensor(`${weightName}_scale`, DataType.FLOAT, [M, ...Array(spatial).fill(1)], w.scales),
      zeroPoint: ctx.tensor(`${weightName}_zero_point`, DataType.INT8, [], new Int8Array(1)),
    };
  });
  const out: OnnxNode[] = [];
  const a = ctx.quantizeActivation(node.input[0]!, out);
  const int32 = ctx.names.unique(`${output}_output_quantized`);
  const cast = ctx.names.unique(`${output}_output_quantized_cast_output`);
  const scales = ctx.names.unique(`${name}_quant_scales_mul:0`);
  const bias = node.input[2];
  const product = bias ? ctx.names.unique(`${output}_conv`) : output;
  const conv = ctx.node('ConvInteger', [a.q, q.w, a.zeroPoint, q.zeroPoint], [int32], `${name}_quant`);
  out.push({ ...conv, attribute: node.attribute.filter((x) => CONV_ATTRS.has(x.name ?? '')) });
  out.push(ctx.node('Cast', [int32], [cast], `${name}_quant_cast`, { to: DataType.FLOAT }));
  out.push(ctx.node('Mul', [a.scale, q.scale], [scales], `${name}_quant_scales_mul`));
  out.push(ctx.node('Mul', [cast, scales], [product], `${name}_quant_output_scale_mul`));
  if (bias) {
    const shaped = ctx.tensor(`${name}_bias_shape`, DataType.INT64, [spatial + 1], [M, ...Array(spatial).fill(1)]);
    const b = ctx.names.unique(`${bias}_reshaped`);
    out.push(ctx.node('Reshape', [bias, shaped], [b], `${name}_bias_reshape`));
    out.push(ctx.node('Add', [product, b], [output], `${name}_bias_add`));
  }
  return out;
}
