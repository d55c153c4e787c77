import { DataType } from '../onnx/data-type.js';
import type { OnnxNode } from '../onnx/onnx-types.js';
import { tensorElementCount } from '../onnx/tensor-data.js';
import { floatAttr, intAttr, type GraphIndex } from './graph-index.js';

/** A fixed quantization technique (`auto` chooses among these). */
export type QuantizeMode = 'int8' | 'int4' | 'fp16';

/** What the rewriter does to one node (or, for fp16, one weight). */
export type QuantizeAction =
  /** DynamicQuantizeLinear + MatMulInteger + Cast + Mul (opset ≥ 11). */
  | 'int8-matmul'
  /** com.microsoft DynamicQuantizeMatMul, for opsets before DynamicQuantizeLinear (7–10). */
  | 'int8-matmul-contrib'
  /** Gemm rewritten to MatMul (+ Add), then as int8-matmul(-contrib). */
  | 'int8-gemm'
  /** Per-row int8 table: Gather(int8) → Cast, × Gather(row scales). */
  | 'int8-gather'
  /** DynamicQuantizeLinear + ConvInteger + Cast + Mul. */
  | 'int8-conv'
  /** int8 weights with Cast·Mul in front of the op: 4× smaller on disk, folded back to fp32 at load. */
  | 'int8-weights'
  /** com.microsoft MatMulNBits, 4-bit blocks of 32, accuracy_level 4. */
  | 'int4-matmul'
  /** Gemm rewritten to MatMulNBits (+ Add). */
  | 'int4-gemm'
  /** com.microsoft GatherBlockQuantized, 4-bit blocks of 32. */
  | 'int4-gather'
  /** fp16 weights with a Cast to fp32: half the disk, fp32 on the CPU. */
  | 'fp16-weights';

/** One explainable decision: which node, which weight, what happens and why. */
export interface QuantizeDecision {
  /** Stable node id: its name, or `<OpType>:<first output>` for unnamed nodes. */
  node: string;
  opType: string;
  /** The constant weight input. */
  weight: string;
  weightShape: number[];
  /** fp32 bytes of the weight. */
  weightBytes: number;
  action: QuantizeAction | 'keep';
  reason: string;
}

/** The planner's output. */
export interface QuantizationPlan {
  mode: QuantizeMode;
  decisions: QuantizeDecision[];
}

/** Options for {@link planQuantization}. */
export interface PlanOptions {
  mode: QuantizeMode;
  /** Node ids to leave in fp32 (mixed precision). */
  exclude?: ReadonlySet<string>;
  /** Weights with fewer elements stay fp32: their scales and extra nodes would cost more than they save. Default 1,024. */
  minElements?: number;
  /** Quantize activations of Conv too (ConvInteger) instead of weights only. Default false. */
  convInteger?: boolean;
}

/** A node's stable id (see {@link QuantizeDecision.node}). */
export function nodeId(node: OnnxNode): string {
  return node.name || `${node.opType}:${node.output[0] ?? ''}`;
}

/** Which input holds the weight, for the ops the quantizer rewrites. */
const WEIGHT_INPUT = new Map([['MatMul', 1], ['Gemm', 1], ['Gather', 0], ['Conv', 1], ['ConvTranspose', 1]]);

/**
 * Decides, node by node, what the chosen mode does (pure: reads the index, writes nothing).
 * Every node that has a float constant weight gets a decision, including the ones kept in fp32,
 * so the report can say why.
 */
export function planQuantization(index: GraphIndex, opts: PlanOptions): QuantizationPlan {
  const minElements = opts.minElements ?? 1024;
  const decisions: QuantizeDecision[] = [];
  const seenFp16 = new Set<string>();
  for (const node of index.graph.node) {
    if (opts.mode === 'fp16') {
      // fp16 converts every sizeable float constant a node reads, whatever the op.
      for (const input of node.input) {
        const c = index.constants.get(input);
        if (!c || seenFp16.has(input) || c.tensor.dataType !== DataType.FLOAT) continue;
        seenFp16.add(input);
        const n = tensorElementCount(c.tensor);
        const base = { node: nodeId(node), opType: node.opType ?? '', weight: input, weightShape: [...c.tensor.dims], weightBytes: n * 4 };
        const excluded = opts.exclude?.has(nodeId(node));
        decisions.push({
          ...base,
          action: n >= minElements && !excluded ? 'fp16-weights' : 'keep',
          reason: excluded ? 'excluded: left in fp32' : n >= minElements ? 'float weights stored as fp16' : `only ${n} values`,
        });
      }
      continue;
    }
    if (node.domain && node.domain !== 'ai.onnx') continue;
    const slot = WEIGHT_INPUT.get(node.opType ?? '');
    if (slot === undefined) continue;
    const weight = node.input[slot];
    const c = weight ? index.constants.get(weight) : undefined;
    if (!weight || !c || c.tensor.dataType !== DataType.FLOAT) continue;
    const n = tensorElementCount(c.tensor);
    const base = { node: nodeId(node), opType: node.opType ?? '', weight, weightShape: [...c.tensor.dims], weightBytes: n * 4 };
    const keep = (reason: string): QuantizeDecision => ({ ...base, action: 'keep', reason });
    const act = (action: QuantizeAction, reason: string): QuantizeDecision => ({ ...base, action, reason });
    if (opts.exclude?.has(base.node)) {
      decisions.push(keep('excluded: left in fp32 (mixed precision)'));
      continue;
    }
    if (n < minElements) {
      decisions.push(keep(`only ${n} weights; quantizing would not pay`));
      continue;
    }
    decisions.push(decide(node, index, opts, base.weightShape, act, keep));
  }
  return { mode: opts.mode, decisions };
}

function decide(
  node: OnnxNode,
  index: GraphIndex,
  opts: PlanOptions,
  shape: number[],
  act: (a: QuantizeAction, r: string) => QuantizeDecision,
  keep: (r: string) => QuantizeDecision,
): QuantizeDecision {
  const int4 = opts.mode === 'int4';
  const modern = index.opset >= 11;
  switch (node.opType) {
    case 'MatMul': {
      if (shape.length !== 2) return keep(`weight has rank ${shape.length}, not 2`);
      if (index.constants.has(node.input[0] ?? '')) return keep('both inputs are constant (folded at load)');
      if (int4) return act('int4-matmul', `4-bit blocks of 32 (${shape[0]}×${shape[1]})`);
      return modern ? act('int8-matmul', 'dynamic int8 (MatMulInteger)') : act('int8-matmul-contrib', `opset ${index.opset} < 11: DynamicQuantizeMatMul (onnxruntime contrib op)`);
    }
    case 'Gemm': {
      if (shape.length !== 2) return keep(`weight has rank ${shape.length}, not 2`);
      if (intAttr(node, 'transA', 0) !== 0) return keep('transA=1 cannot become a MatMul');
      const c = node.input[2];
      if (c && floatAttr(node, 'beta', 1) !== 1 && !index.constants.has(c)) return keep('beta≠1 with a non-constant C');
      if (index.constants.has(node.input[0] ?? '')) return keep('both inputs are constant (folded at load)');
      return int4 ? act('int4-gemm', 'Gemm → MatMulNBits (+ Add)') : act('int8-gemm', 'Gemm → MatMul (+ Add), dynamic int8');
    }
    case 'Gather': {
      if (shape.length !== 2) return keep(`table has rank ${shape.length}, not 2`);
      if (intAttr(node, 'axis', 0) !== 0) return keep('gathers along axis ≠ 0');
      if (int4 && shape[1]! % 32 === 0) return act('int4-gather', '4-bit rows, blocks of 32 (GatherBlockQuantized)');
      return act('int8-gather', 'per-row int8 table, dequantized after the Gather');
    }
    case 'Conv': {
      if (shape.length < 3) return keep(`weight has rank ${shape.length}`);
      const useInteger = opts.convInteger && modern && intAttr(node, 'group', 1) === 1;
      return useInteger ? act('int8-conv', 'dynamic int8 (ConvInteger)') : act('int8-weights', 'int8 weights per output channel (disk only: fp32 at run time)');
    }
    case 'ConvTranspose':
      return act('int8-weights', 'int8 weights (disk only: fp32 at run time)');
    default:
      return keep('not a quantizable op');
  }
}
