/** onnxruntime tensor types → the typed array that holds their data. */
export declare const ORT_TYPED_ARRAYS: {
  readonly float32: Float32ArrayConstructor;
  readonly float64: Float64ArrayConstructor;
  readonly int64: BigInt64ArrayConstructor;
  readonly int32: Int32ArrayConstructor;
  readonly int16: Int16ArrayConstructor;
  readonly int8: Int8ArrayConstructor;
  readonly uint8: Uint8ArrayConstructor;
  readonly uint16: Uint16ArrayConstructor;
  readonly bool: Uint8ArrayConstructor;
  readonly float16: Uint16ArrayConstructor;
};
