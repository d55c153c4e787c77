/**
 * Field tables for the ONNX messages lambdafit models (numbers from onnx.proto, see
 * reference/quantization.md §6). The generic codec walks these tables; fields absent here are
 * kept as raw bytes and survive a rewrite untouched.
 */

/** How a field's value is encoded and represented in JS. */
export type FieldKind = 'int64' | 'uint64' | 'float' | 'double' | 'string' | 'bytes' | 'message';

/** One modelled field. */
export interface FieldSpec {
  /** Protobuf field number. */
  readonly num: number;
  /** Property name on the JS object. */
  readonly key: string;
  readonly kind: FieldKind;
  /** A repeated field: decoded as an array (empty when absent). */
  readonly repeated?: boolean;
  /** Written packed (proto2 `[packed = true]`); both forms are accepted when reading. */
  readonly packed?: boolean;
  /** Repeated numbers held in a typed array instead of `number[]` (big tensor payloads). */
  readonly typed?: 'f32' | 'f64' | 'i32';
  /** Schema of a message-typed field (a thunk because the messages are recursive). */
  readonly schema?: () => MessageSchema;
}

/** A message's field table, indexed by field number, and in field-number order. */
export interface MessageSchema {
  readonly name: string;
  readonly fields: readonly FieldSpec[];
  readonly byNum: ReadonlyMap<number, FieldSpec>;
}

function schema(name: string, fields: FieldSpec[]): MessageSchema {
  const sorted = [...fields].sort((a, b) => a.num - b.num);
  return { name, fields: sorted, byNum: new Map(sorted.map((f) => [f.num, f])) };
}

/** OperatorSetIdProto. */
export const opsetIdSchema = schema('OperatorSetIdProto', [
  { num: 1, key: 'domain', kind: 'string' },
  { num: 2, key: 'version', kind: 'int64' },
]);

/** StringStringEntryProto. */
export const stringEntrySchema = schema('StringStringEntryProto', [
  { num: 1, key: 'key', kind: 'string' },
  { num: 2, key: 'value', kind: 'string' },
]);

/** TensorShapeProto.Dimension. */
export const dimensionSchema = schema('TensorShapeProto.Dimension', [
  { num: 1, key: 'dimValue', kind: 'int64' },
  { num: 2, key: 'dimParam', kind: 'string' },
  { num: 3, key: 'denotation', kind: 'string' },
]);

/** TensorShapeProto. */
export const shapeSchema = schema('TensorShapeProto', [
  { num: 1, key: 'dim', kind: 'message', repeated: true, schema: () => dimensionSchema },
]);

/** TypeProto.Tensor. */
export const tensorTypeSchema = schema('TypeProto.Tensor', [
  { num: 1, key: 'elemType', kind: 'int64' },
  { num: 2, key: 'shape', kind: 'message', schema: () => shapeSchema },
]);

/** TypeProto (tensor_type only; the other oneof members stay raw). */
export const typeSchema = schema('TypeProto', [
  { num: 1, key: 'tensorType', kind: 'message', schema: () => tensorTypeSchema },
  { num: 6, key: 'denotation', kind: 'string' },
]);

/** ValueInfoProto. */
export const valueInfoSchema = schema('ValueInfoProto', [
  { num: 1, key: 'name', kind: 'string' },
  { num: 2, key: 'type', kind: 'message', schema: () => typeSchema },
  { num: 3, key: 'docString', kind: 'string' },
]);

/** TensorProto. */
export const tensorSchema = schema('TensorProto', [
  { num: 1, key: 'dims', kind: 'int64', repeated: true },
  { num: 2, key: 'dataType', kind: 'int64' },
  { num: 4, key: 'floatData', kind: 'float', repeated: true, packed: true, typed: 'f32' },
  { num: 5, key: 'int32Data', kind: 'int64', repeated: true, packed: true, typed: 'i32' },
  { num: 6, key: 'stringData', kind: 'bytes', repeated: true },
  { num: 7, key: 'int64Data', kind: 'int64', repeated: true, packed: true },
  { num: 8, key: 'name', kind: 'string' },
  { num: 9, key: 'rawData', kind: 'bytes' },
  { num: 10, key: 'doubleData', kind: 'double', repeated: true, packed: true, typed: 'f64' },
  { num: 11, key: 'uint64Data', kind: 'uint64', repeated: true, packed: true },
  { num: 12, key: 'docString', kind: 'string' },
  { num: 13, key: 'externalData', kind: 'message', repeated: true, schema: () => stringEntrySchema },
  { num: 14, key: 'dataLocation', kind: 'int64' },
]);

/** AttributeProto. */
export const attributeSchema = schema('AttributeProto', [
  { num: 1, key: 'name', kind: 'string' },
  { num: 2, key: 'f', kind: 'float' },
  { num: 3, key: 'i', kind: 'int64' },
  { num: 4, key: 's', kind: 'bytes' },
  { num: 5, key: 't', kind: 'message', schema: () => tensorSchema },
  { num: 6, key: 'g', kind: 'message', schema: () => graphSchema },
  { num: 7, key: 'floats', kind: 'float', repeated: true },
  { num: 8, key: 'ints', kind: 'int64', repeated: true },
  { num: 9, key: 'strings', kind: 'bytes', repeated: true },
  { num: 10, key: 'tensors', kind: 'message', repeated: true, schema: () => tensorSchema },
  { num: 11, key: 'graphs', kind: 'message', repeated: true, schema: () => graphSchema },
  { num: 13, key: 'docString', kind: 'string' },
  { num: 20, key: 'type', kind: 'int64' },
  { num: 21, key: 'refAttrName', kind: 'string' },
]);

/** NodeProto. */
export const nodeSchema = schema('NodeProto', [
  { num: 1, key: 'input', kind: 'string', repeated: true },
  { num: 2, key: 'output', kind: 'string', repeated: true },
  { num: 3, key: 'name', kind: 'string' },
  { num: 4, key: 'opType', kind: 'string' },
  { num: 5, key: 'attribute', kind: 'message', repeated: true, schema: () => attributeSchema },
  { num: 6, key: 'docString', kind: 'string' },
  { num: 7, key: 'domain', kind: 'string' },
  { num: 8, key: 'overload', kind: 'string' },
]);

/** GraphProto. */
export const graphSchema: MessageSchema = schema('GraphProto', [
  { num: 1, key: 'node', kind: 'message', repeated: true, schema: () => nodeSchema },
  { num: 2, key: 'name', kind: 'string' },
  { num: 5, key: 'initializer', kind: 'message', repeated: true, schema: () => tensorSchema },
  { num: 10, key: 'docString', kind: 'string' },
  { num: 11, key: 'input', kind: 'message', repeated: true, schema: () => valueInfoSchema },
  { num: 12, key: 'output', kind: 'message', repeated: true, schema: () => valueInfoSchema },
  { num: 13, key: 'valueInfo', kind: 'message', repeated: true, schema: () => valueInfoSchema },
]);

/** ModelProto. */
export const modelSchema = schema('ModelProto', [
  { num: 1, key: 'irVersion', kind: 'int64' },
  { num: 2, key: 'producerName', kind: 'string' },
  { num: 3, key: 'producerVersion', kind: 'string' },
  { num: 4, key: 'domain', kind: 'string' },
  { num: 5, key: 'modelVersion', kind: 'int64' },
  { num: 6, key: 'docString', kind: 'string' },
  { num: 7, key: 'graph', kind: 'message', schema: () => graphSchema },
  { num: 8, key: 'opsetImport', kind: 'message', repeated: true, schema: () => opsetIdSchema },
  { num: 14, key: 'metadataProps', kind: 'message', repeated: true, schema: () => stringEntrySchema },
]);
