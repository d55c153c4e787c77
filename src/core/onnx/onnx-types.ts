/**
 * The in-memory ONNX model: the protobuf messages lambdafit reads, edits and writes, with the
 * fields it models as typed properties and everything else kept as raw bytes.
 *
 * Objects decoded from a file are frozen and remember their exact source bytes, so an untouched
 * message is written back verbatim (byte for byte, unknown and newer fields included). To change a
 * message, build a new object (`{ ...node, input: [...] }`): its `unknownFields` come along and
 * the writer re-encodes only what changed.
 */

/** A field lambdafit does not model, kept whole (tag included) to be re-emitted untouched. */
export interface RawField {
  /** Protobuf field number. */
  readonly field: number;
  /** The complete encoded field: tag, length (if any) and value. */
  readonly bytes: Buffer;
}

/** What every message carries besides its modelled fields. */
export interface OnnxMessage {
  /** Fields not modelled by lambdafit (newer ONNX features, vendor extensions), in file order. */
  readonly unknownFields?: readonly RawField[];
}

/** OperatorSetIdProto: one imported operator set. */
export interface OnnxOpsetId extends OnnxMessage {
  /** `""` (or absent) is the default `ai.onnx` domain. */
  readonly domain?: string;
  readonly version?: number;
}

/** StringStringEntryProto: metadata and external-data key/value pairs. */
export interface OnnxStringEntry extends OnnxMessage {
  readonly key?: string;
  readonly value?: string;
}

/** TensorShapeProto.Dimension: a fixed size, a symbolic name, or unknown. */
export interface OnnxDimension extends OnnxMessage {
  readonly dimValue?: number;
  readonly dimParam?: string;
  readonly denotation?: string;
}

/** TensorShapeProto. */
export interface OnnxShape extends OnnxMessage {
  readonly dim: readonly OnnxDimension[];
}

/** TypeProto.Tensor: element type and (optional) shape. */
export interface OnnxTensorType extends OnnxMessage {
  /** A `DataType` code. */
  readonly elemType?: number;
  readonly shape?: OnnxShape;
}

/** TypeProto: only tensor types are modelled; sequence/map/optional types stay raw. */
export interface OnnxType extends OnnxMessage {
  readonly tensorType?: OnnxTensorType;
  readonly denotation?: string;
}

/** ValueInfoProto: a named, typed value (graph input, output or annotation). */
export interface OnnxValueInfo extends OnnxMessage {
  readonly name?: string;
  readonly type?: OnnxType;
  readonly docString?: string;
}

/** TensorProto: a constant tensor (initializer or attribute value). */
export interface OnnxTensor extends OnnxMessage {
  readonly dims: readonly number[];
  /** A `DataType` code. */
  readonly dataType?: number;
  readonly name?: string;
  readonly docString?: string;
  /**
   * Little-endian fixed-width element bytes. When decoded from a file this is a zero-copy view at
   * an arbitrary offset: never build a Float32Array on it directly (use `tensorFloat32`).
   */
  readonly rawData?: Buffer;
  readonly floatData?: Float32Array;
  readonly int32Data?: Int32Array;
  readonly int64Data?: readonly number[];
  readonly doubleData?: Float64Array;
  readonly uint64Data?: readonly number[];
  readonly stringData: readonly Buffer[];
  /** `location`/`offset`/`length`/`checksum` pairs when the data lives in another file. */
  readonly externalData: readonly OnnxStringEntry[];
  /** 1 = EXTERNAL. */
  readonly dataLocation?: number;
}

/** AttributeProto. */
export interface OnnxAttribute extends OnnxMessage {
  readonly name?: string;
  readonly refAttrName?: string;
  readonly docString?: string;
  /** An `AttributeType` code. */
  readonly type?: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Buffer;
  readonly t?: OnnxTensor;
  readonly g?: OnnxGraph;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly Buffer[];
  readonly tensors: readonly OnnxTensor[];
  readonly graphs: readonly OnnxGraph[];
}

/** NodeProto. */
export interface OnnxNode extends OnnxMessage {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name?: string;
  readonly opType?: string;
  /** `""` (or absent) is `ai.onnx`; contrib ops use `com.microsoft`. */
  readonly domain?: string;
  readonly attribute: readonly OnnxAttribute[];
  readonly docString?: string;
  readonly overload?: string;
}

/** GraphProto. */
export interface OnnxGraph extends OnnxMessage {
  readonly node: readonly OnnxNode[];
  readonly name?: string;
  readonly initializer: readonly OnnxTensor[];
  readonly docString?: string;
  readonly input: readonly OnnxValueInfo[];
  readonly output: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
}

/** ModelProto. */
export interface OnnxModel extends OnnxMessage {
  readonly irVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  readonly graph?: OnnxGraph;
  readonly opsetImport: readonly OnnxOpsetId[];
  readonly metadataProps: readonly OnnxStringEntry[];
}
