import { DataType, dataTypeName, rawByteLength } from './data-type.js';
import type { OnnxTensor } from './onnx-types.js';

/** Number of elements a tensor holds (1 for a scalar). */
export function tensorElementCount(t: Pick<OnnxTensor, 'dims'>): number {
  let n = 1;
  for (const d of t.dims) n *= d;
  return n;
}

/** Bytes the tensor's elements occupy as raw_data (what it weighs in a model file). */
export function tensorByteLength(t: OnnxTensor): number {
  if (t.rawData) return t.rawData.length;
  return rawByteLength(t.dataType ?? 0, tensorElementCount(t)) ?? 0;
}

/**
 * The values of a FLOAT tensor as a Float32Array, wherever they are stored (raw_data or
 * float_data). raw_data views sit at arbitrary file offsets (reference §6): an aligned view is
 * returned as is (do not mutate it), a misaligned one is copied.
 */
export function tensorFloat32(t: OnnxTensor): Float32Array {
  if (t.dataType !== DataType.FLOAT) {
    throw new TypeError(`tensor ${t.name ?? '(unnamed)'} is ${dataTypeName(t.dataType)}, not FLOAT`);
  }
  const count = tensorElementCount(t);
  if (t.rawData) {
    const raw = t.rawData;
    if (raw.length !== count * 4) {
      throw new RangeError(`tensor ${t.name ?? '(unnamed)'} has ${raw.length} bytes of raw_data for ${count} floats`);
    }
    if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, count);
    const copy = new Float32Array(count);
    new Uint8Array(copy.buffer).set(raw);
    return copy;
  }
  if (t.floatData) return t.floatData;
  return new Float32Array(count);
}

/** The values of an integer tensor (INT64, INT32, INT8, UINT8…) as plain numbers; for shapes and indices. */
export function tensorIntegers(t: OnnxTensor): number[] {
  const count = tensorElementCount(t);
  const raw = t.rawData;
  const out: number[] = [];
  switch (t.dataType) {
    case DataType.INT64:
      if (raw) for (let i = 0; i < count; i++) out.push(Number(raw.readBigInt64LE(i * 8)));
      else out.push(...(t.int64Data ?? []));
      return out;
    case DataType.INT32:
    case DataType.INT16:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.UINT16:
    case DataType.BOOL: {
      const width = t.dataType === DataType.INT32 ? 4 : t.dataType === DataType.INT16 || t.dataType === DataType.UINT16 ? 2 : 1;
      if (!raw) return Array.from(t.int32Data ?? []);
      for (let i = 0; i < count; i++) {
        const at = i * width;
        if (t.dataType === DataType.INT32) out.push(raw.readInt32LE(at));
        else if (t.dataType === DataType.INT16) out.push(raw.readInt16LE(at));
        else if (t.dataType === DataType.UINT16) out.push(raw.readUInt16LE(at));
        else if (t.dataType === DataType.INT8) out.push(raw.readInt8(at));
        else out.push(raw[at]!);
      }
      return out;
    }
    case DataType.FLOAT:
      return Array.from(tensorFloat32(t));
    default:
      throw new TypeError(`tensor ${t.name ?? '(unnamed)'} is ${dataTypeName(t.dataType)}, not an integer type`);
  }
}

/** Element data accepted by `makeTensor`. */
export type TensorValues = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | Uint16Array | BigInt64Array | Buffer;

/**
 * A new tensor stored as raw_data. Typed arrays are referenced, not copied (the caller must not
 * reuse them); `number[]` values are converted according to `dataType`.
 */
export function makeTensor(name: string, dataType: number, dims: readonly number[], values: TensorValues | readonly number[]): OnnxTensor {
  let raw: Buffer;
  if (Array.isArray(values)) {
    raw = numbersToRaw(dataType, values as readonly number[]);
  } else {
    const v = values as Exclude<TensorValues, never>;
    raw = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  const expected = rawByteLength(dataType, tensorElementCount({ dims }));
  if (expected !== undefined && expected !== raw.length) {
    throw new RangeError(`tensor ${name}: ${raw.length} bytes do not match ${dataTypeName(dataType)} ${JSON.stringify(dims)}`);
  }
  return { name, dataType, dims: [...dims], rawData: raw, stringData: [], externalData: [] };
}

function numbersToRaw(dataType: number, values: readonly number[]): Buffer {
  switch (dataType) {
    case DataType.FLOAT:
      return Buffer.from(Float32Array.from(values).buffer);
    case DataType.DOUBLE:
      return Buffer.from(Float64Array.from(values).buffer);
    case DataType.INT64:
      return Buffer.from(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
    case DataType.INT32:
      return Buffer.from(Int32Array.from(values).buffer);
    case DataType.INT8:
      return Buffer.from(Int8Array.from(values).buffer);
    case DataType.UINT8:
    case DataType.BOOL:
      return Buffer.from(Uint8Array.from(values).buffer);
    default:
      throw new TypeError(`makeTensor: give ${dataTypeName(dataType)} values as a typed array or Buffer`);
  }
}
