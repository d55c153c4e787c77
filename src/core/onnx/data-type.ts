/**
 * ONNX TensorProto.DataType codes and their element sizes (onnx.proto; reference §6).
 */

/** TensorProto.DataType codes lambdafit handles by name. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
} as const;

/** A known data type name. */
export type DataTypeName = keyof typeof DataType;

/** AttributeProto.AttributeType codes. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

const BITS: Record<number, number> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64,
  14: 64, 15: 128, 16: 16, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4,
};

/** Bits per element of a fixed-width type, or undefined (STRING, UNDEFINED, unknown codes). */
export function dataTypeBits(dataType: number): number | undefined {
  return BITS[dataType];
}

/** Bytes that `count` elements of `dataType` occupy in raw_data (sub-byte types round up). */
export function rawByteLength(dataType: number, count: number): number | undefined {
  const bits = BITS[dataType];
  return bits === undefined ? undefined : Math.ceil((count * bits) / 8);
}

/** The name of a data type code, e.g. `FLOAT`, or `type 99` for codes newer than lambdafit. */
export function dataTypeName(dataType: number | undefined): string {
  const entry = Object.entries(DataType).find(([, v]) => v === dataType);
  return entry ? entry[0] : `type ${dataType ?? 'unset'}`;
}
