import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataType } from './data-type.js';
import type { OnnxModel, OnnxTensor } from './onnx-types.js';
import { readOnnxModel } from './read-onnx-model.js';
import { tensorElementCount } from './tensor-data.js';
import { defaultOpset, indexGraph } from '../quantize/graph-index.js';
import { planQuantization, type QuantizeDecision } from '../quantize/plan-quantization.js';
import { SUPPORTED_OPSETS } from '../quantize/quantize-model.js';

/** What an ONNX file holds and what quantization would make of it; no onnxruntime involved. */
export interface ModelInspection {
  format: 'onnx';
  irVersion: number;
  /** ai.onnx opset (undefined when the model imports none). */
  opset?: number;
  producer?: string;
  producerVersion?: string;
  /** Elements of all non-scalar float and 8-bit constant tensors (weights). */
  parameters: number;
  /** The model's bytes: the .onnx file plus its external data files. */
  bytes: number;
  /** Whether weights live in external data files. */
  externalData: boolean;
  nodes: number;
  /** Node count per op type (`domain:Op` for non-default domains). */
  ops: Record<string, number>;
  inputs: string[];
  outputs: string[];
  /** fp32 bytes of the weights int8 quantization would shrink (MatMul/Gemm/Gather/Conv weights). */
  quantizableBytes: number;
  /** Estimated size after `lambdafit quantize --mode int8`. */
  estimatedInt8Bytes: number;
  /** Estimated size after `--mode int4` (4-bit MatMul and embedding weights, int8 conv weights). */
  estimatedInt4Bytes: number;
  /** Estimated size after `--mode fp16` (every sizeable float weight halved). */
  estimatedFp16Bytes: number;
  /** Why quantization does not apply, when it does not (e.g. an opset outside the supported range). */
  notQuantizable?: string;
}

const WEIGHT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE, DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4]);

function constantTensors(model: OnnxModel): OnnxTensor[] {
  const out = [...model.graph!.initializer];
  for (const n of model.graph!.node) {
    if (n.opType !== 'Constant' || n.domain) continue;
    const t = n.attribute.find((a) => a.name === 'value')?.t;
    if (t) out.push(t);
  }
  return out;
}

/** Bytes of one decision's weight after quantization (data plus scales), as the rewriters emit it. */
function quantizedBytes(d: QuantizeDecision): number {
  const n = d.weightBytes / 4;
  const [a = 1, b = 1] = d.weightShape;
  switch (d.action) {
    case 'int8-matmul':
    case 'int8-matmul-contrib':
    case 'int8-gemm':
      return n + 5 * (d.action === 'int8-gemm' ? a : b);
    case 'int8-gather':
    case 'int8-weights':
    case 'int8-conv':
      return n + 4 * a;
    case 'int4-matmul':
    case 'int4-gemm':
    case 'int4-gather':
      return n / 2 + (4 * n) / 32;
    case 'fp16-weights':
      return n * 2;
    default:
      return d.weightBytes;
  }
}

/** Graph bytes a rewrite adds: new nodes and tensors, each naming itself after the weight. */
function structureBytes(d: QuantizeDecision): number {
  const name = d.weight.length + 12;
  if (d.action.startsWith('int4') || d.action === 'fp16-weights') return 100 + 5 * name;
  return 150 + 14 * name;
}

function estimate(model: OnnxModel, bytes: number, mode: 'int8' | 'int4' | 'fp16'): { saved: number; quantizable: number } {
  const plan = planQuantization(indexGraph(model), { mode });
  let saved = 0;
  let quantizable = 0;
  for (const d of plan.decisions) {
    if (d.action === 'keep') continue;
    quantizable += d.weightBytes;
    saved += d.weightBytes - quantizedBytes(d) - structureBytes(d);
  }
  return { saved: Math.min(saved, bytes), quantizable };
}

/** Inspects a decoded model whose total size (file plus external data) is `bytes`. */
export function inspectDecodedModel(model: OnnxModel, bytes: number): ModelInspection {
  const graph = model.graph!;
  let parameters = 0;
  let externalData = false;
  for (const t of constantTensors(model)) {
    if (t.dataLocation === 1) externalData = true;
    if (t.dims.length > 0 && WEIGHT_TYPES.has(t.dataType ?? 0)) parameters += tensorElementCount(t);
  }
  const ops: Record<string, number> = {};
  for (const n of graph.node) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : (n.opType ?? '?');
    ops[key] = (ops[key] ?? 0) + 1;
  }
  const opset = defaultOpset(model);
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const base = {
    format: 'onnx' as const,
    irVersion: model.irVersion ?? 0,
    opset,
    producer: model.producerName || undefined,
    producerVersion: model.producerVersion || undefined,
    parameters,
    bytes,
    externalData,
    nodes: graph.node.length,
    ops,
    inputs: graph.input.map((v) => v.name ?? '').filter((n) => !initializers.has(n)),
    outputs: graph.output.map((v) => v.name ?? ''),
  };
  if (opset === undefined || opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    return {
      ...base,
      quantizableBytes: 0,
      estimatedInt8Bytes: bytes,
      estimatedInt4Bytes: bytes,
      estimatedFp16Bytes: bytes,
      notQuantizable: `ai.onnx opset ${opset ?? 'missing'} is outside ${SUPPORTED_OPSETS.min}–${SUPPORTED_OPSETS.max}`,
    };
  }
  const int8 = estimate(model, bytes, 'int8');
  return {
    ...base,
    quantizableBytes: int8.quantizable,
    estimatedInt8Bytes: Math.round(bytes - int8.saved),
    estimatedInt4Bytes: Math.round(bytes - estimate(model, bytes, 'int4').saved),
    estimatedFp16Bytes: Math.round(bytes - estimate(model, bytes, 'fp16').saved),
  };
}

/**
 * Inspects an ONNX model file (or its bytes) without onnxruntime: parameters, opset, producer,
 * and what int8/int4/fp16 would save. External data files are sized, not read. Throws
 * InputError for files that are not valid ONNX.
 */
export async function inspectModel(input: string | Buffer): Promise<ModelInspection> {
  const model = await readOnnxModel(input, { loadExternalData: false });
  if (Buffer.isBuffer(input)) return inspectDecodedModel(model, input.length);
  let bytes = (await stat(input)).size;
  const locations = new Set(model.graph!.initializer.map((t) => t.externalData.find((e) => e.key === 'location')?.value).filter((l): l is string => !!l));
  for (const loc of locations) bytes += (await stat(join(dirname(input), loc)).catch(() => ({ size: 0 }))).size;
  return inspectDecodedModel(model, bytes);
}
