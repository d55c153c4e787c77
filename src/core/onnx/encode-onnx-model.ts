import { endianness } from 'node:os';
import { MessageEncoder } from './encode-message.js';
import { modelSchema } from './onnx-schemas.js';
import type { OnnxModel } from './onnx-types.js';
import { WireWriter } from './wire-writer.js';

/** A model encoded as a list of byte chunks (large tensor data referenced, not copied). */
export interface EncodedModel {
  chunks: Buffer[];
  /** Total bytes. */
  length: number;
}

/** Encoded size of a model in bytes, without producing it. */
export function encodedModelSize(model: OnnxModel): number {
  return new MessageEncoder().size(model, modelSchema);
}

/**
 * Encodes a model into chunks. An unchanged decoded model comes back as its original bytes; a
 * changed one is re-encoded around the untouched parts, which are copied through verbatim.
 */
export function encodeOnnxModel(model: OnnxModel): EncodedModel {
  // Typed arrays are written as their memory; ONNX raw data is little-endian.
  if (endianness() !== 'LE') throw new Error('lambdafit writes ONNX only on little-endian hosts');
  const encoder = new MessageEncoder();
  const w = new WireWriter();
  encoder.write(w, model, modelSchema);
  const chunks = w.finish();
  return { chunks, length: w.length };
}

/** Encodes a model into one Buffer (convenient for small models and tests). */
export function serializeOnnxModel(model: OnnxModel): Buffer {
  const { chunks, length } = encodeOnnxModel(model);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
}
