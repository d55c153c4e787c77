import { InputError } from '../errors.js';
import { DataType, dataTypeName } from '../onnx/data-type.js';
import type { OnnxModel, OnnxNode } from '../onnx/onnx-types.js';
import { indexGraph, type GraphIndex } from './graph-index.js';
import type { ProbeType } from './run-ort-probe.js';

/** What an input is for, guessed from its name, type, shape and the ops that read it. */
export type InputRole = 'token-ids' | 'mask' | 'token-type' | 'position-ids' | 'image' | 'features' | 'other';

/** One graph input, as the input synthesizer needs it. */
export interface InputSpec {
  name: string;
  /** onnxruntime tensor type name. */
  type: ProbeType;
  /** Declared dims: a size, a symbolic name, or undefined (unknown). Undefined for unknown rank. */
  dims?: Array<number | string | undefined>;
  role: InputRole;
  /** Rows of the embedding table these ids index, when the graph says. */
  vocabSize?: number;
}

const PROBE_TYPES: Record<number, ProbeType> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.INT16]: 'int16',
  [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8',
  [DataType.UINT16]: 'uint16',
  [DataType.BOOL]: 'bool',
  [DataType.FLOAT16]: 'float16',
};

/** Ops that pass ids through unchanged in value (only reshaping or retyping them). */
const PASS_THROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity', 'Expand']);

/** Follows an id input to the embedding Gather it indexes, and returns that table's row count. */
function traceVocab(start: string, index: GraphIndex): number | undefined {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const value = queue.shift()!;
    if (seen.has(value)) continue;
    seen.add(value);
    for (const n of index.consumers.get(value) ?? ([] as OnnxNode[])) {
      if (n.opType === 'Gather' && n.input[1] === value) {
        const table = index.constants.get(n.input[0] ?? '');
        if (table && table.tensor.dims.length >= 1) return table.tensor.dims[0];
      }
      if (PASS_THROUGH.has(n.opType ?? '') && n.input[0] === value) queue.push(...n.output);
    }
  }
  return undefined;
}

/**
 * Describes the model's real inputs (graph inputs that are not initializers). Throws InputError
 * for inputs that are not plain tensors (sequences, maps, strings): the gate cannot feed those.
 */
export function describeInputs(model: OnnxModel, source = 'model'): InputSpec[] {
  const graph = model.graph!;
  const initializers = new Set(graph.initializer.map((t) => t.name ?? ''));
  const index = indexGraph(model);
  const specs: InputSpec[] = [];
  for (const v of graph.input) {
    const name = v.name ?? '';
    if (initializers.has(name)) continue;
    const tt = v.type?.tensorType;
    const type = PROBE_TYPES[tt?.elemType ?? -1];
    if (!type) {
      throw new InputError(`${source}: input ${name} is not a numeric tensor (${tt ? dataTypeName(tt.elemType) : 'not a tensor'}), so the accuracy gate cannot feed it; lambdafit quantizes models with numeric tensor inputs.`, 'E_ONNX_INPUTS');
    }
    const dims = tt?.shape?.dim.map((d) => (d.dimValue !== undefined && d.dimValue > 0 ? d.dimValue : (d.dimParam ?? undefined)));
    const isInt = type === 'int64' || type === 'int32';
    let role: InputRole = 'other';
    let vocabSize: number | undefined;
    if (isInt) {
      vocabSize = traceVocab(name, index);
      if (/mask/i.test(name)) role = 'mask';
      else if (/token_?type|segment/i.test(name)) role = 'token-type';
      else if (/position/i.test(name)) role = 'position-ids';
      else if (vocabSize !== undefined || /ids|token|input/i.test(name)) role = 'token-ids';
    } else if (type === 'bool') {
      role = 'mask';
    } else if (dims?.length === 4 && (dims[1] === 1 || dims[1] === 3 || dims[1] === undefined || typeof dims[1] === 'string')) {
      role = 'image';
    } else if (type.startsWith('float')) {
      role = 'features';
    }
    specs.push({ name, type, dims, role, vocabSize });
  }
  return specs;
}
