import { DataType } from '../onnx/data-type.js';
import type { OnnxNode } from '../onnx/onnx-types.js';
import { quantizeInt8 } from './int8-weights.js';
import { quantizeGatherBlocks } from './nbits-weights.js';
import type { QuantizeAction } from './plan-quantization.js';
import { MS_DOMAIN, type RewriteContext } from './rewrite-context.js';

/**
 * Rewrites `Gather(table, ids)` on a float [V, D] table. The (de)quantization happens after the
 * Gather, on the gathered rows only: dequantizing the whole table first (DQ → Gather) costs
 * the full fp32 table on every run (reference §5).
 *  - int8: per-row int8 — Gather(int8) → Cast, times Gather(row scales [V, 1]);
 *  - int4: GatherBlockQuantized, 4-bit blocks of 32 along each row.
 */
export function rewriteGather(node: OnnxNode, action: QuantizeAction, ctx: RewriteContext): OnnxNode[] {
  const tableName = node.input[0]!;
  const ids = node.input[1]!;
  const [V, D] = ctx.index.constants.get(tableName)!.tensor.dims as [number, number];
  const name = node.name || node.output[0]!;
  const output = node.output[0]!;
  if (action === 'int4-gather') {
    const q = ctx.once(`gather4:${tableName}`, () => {
      const packed = quantizeGatherBlocks(ctx.weightValues(tableName), V, D, { bits: 4, blockSize: 32 });
      return {
        data: ctx.tensor(`${tableName}_Q4`, DataType.UINT8, [V, D / 2], packed.packed),
        scales: ctx.tensor(`${tableName}_scales`, DataType.FLOAT, [V, packed.blocksPerRow], packed.scales),
      };
    });
    return [ctx.node('GatherBlockQuantized', [q.data, ids, q.scales], [output], `${name}_Q4`, { gather_axis: 0, quantize_axis: 1, block_size: 32, bits: 4 }, MS_DOMAIN)];
  }
  const q = ctx.once(`gather8:${tableName}`, () => {
    const w = quantizeInt8(ctx.weightValues(tableName), V, D, { granularity: 'row' });
    return {
      data: ctx.tensor(`${tableName}_quantized`, DataType.INT8, [V, D], w.q),
      scales: ctx.tensor(`${tableName}_row_scales`, DataType.FLOAT, [V, 1], w.scales),
    };
  });
  const rows = ctx.names.unique(`${output}_quantized`);
  const rowsFloat = ctx.names.unique(`${output}_quantized_cast`);
  const scales = ctx.names.unique(`${output}_scales`);
  return [
    ctx.node('Gather', [q.data, ids], [rows], `${name}_quant`, { axis: 0 }),
    ctx.node('Cast', [rows], [rowsFloat], `${name}_quant_cast`, { to: DataType.FLOAT }),
    ctx.node('Gather', [q.scales, ids], [scales], `${name}_quant_scales`, { axis: 0 }),
    ctx.node('Mul', [rowsFloat, scales], [output], `${name}_quant_dequantize`),
  ];
}
