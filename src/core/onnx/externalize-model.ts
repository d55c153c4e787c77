import { DataType } from './data-type.js';
import type { OnnxGraph, OnnxModel, OnnxTensor } from './onnx-types.js';

/** Options for moving tensor data out of the model file. */
export interface ExternalizeOptions {
  /** Data file name, relative to the model file (no folders, no `..`). */
  location: string;
  /** Tensors with fewer data bytes stay inline (onnx's default is 1,024). */
  sizeThreshold?: number;
  /** Alignment of each tensor's offset in the data file; 4,096 allows mmap (onnx ExternalData.md). */
  alignment?: number;
}

/** The model rewritten to reference the data file, and the data file's contents as chunks. */
export interface ExternalizedModel {
  model: OnnxModel;
  dataChunks: Buffer[];
  dataLength: number;
  /** How many tensors moved out. */
  tensors: number;
}

/** The little-endian raw bytes of a tensor, when its storage form allows a lossless move. */
function rawBytesOf(t: OnnxTensor): Buffer | undefined {
  if (t.rawData) return t.rawData;
  if (t.floatData && t.dataType === DataType.FLOAT) return Buffer.from(t.floatData.buffer, t.floatData.byteOffset, t.floatData.byteLength);
  if (t.doubleData && t.dataType === DataType.DOUBLE) return Buffer.from(t.doubleData.buffer, t.doubleData.byteOffset, t.doubleData.byteLength);
  if (t.int64Data && t.int64Data.length && t.dataType === DataType.INT64) {
    return Buffer.from(BigInt64Array.from(t.int64Data, (v) => BigInt(v)).buffer);
  }
  return undefined;
}

/**
 * Plans the external-data layout (pure: nothing is written). Every initializer of the main graph
 * at or above the threshold moves to `location`, each at an aligned offset, as onnx's
 * `convert_model_to_external_data` does.
 */
export function externalizeModel(model: OnnxModel, opts: ExternalizeOptions): ExternalizedModel {
  const threshold = opts.sizeThreshold ?? 1024;
  const alignment = opts.alignment ?? 4096;
  const dataChunks: Buffer[] = [];
  let dataLength = 0;
  let moved = 0;
  const graph = model.graph as OnnxGraph;
  const initializer = graph.initializer.map((t) => {
    const raw = rawBytesOf(t);
    if (!raw || raw.length < threshold) return t;
    const pad = (alignment - (dataLength % alignment)) % alignment;
    if (pad) {
      dataChunks.push(Buffer.alloc(pad));
      dataLength += pad;
    }
    const offset = dataLength;
    dataChunks.push(raw);
    dataLength += raw.length;
    moved++;
    const out: OnnxTensor = {
      ...t,
      rawData: undefined,
      floatData: undefined,
      doubleData: undefined,
      int64Data: undefined,
      dataLocation: 1,
      externalData: [
        { key: 'location', value: opts.location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(raw.length) },
      ],
    };
    return out;
  });
  return { model: { ...model, graph: { ...graph, initializer } }, dataChunks, dataLength, tensors: moved };
}
