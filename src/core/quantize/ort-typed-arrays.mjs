// onnxruntime tensor types → the typed array that holds their data. Plain JavaScript so the child
// script ort-probe.mjs can import it without the TypeScript sources; run-ort-probe.ts uses it too.
export const ORT_TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  bool: Uint8Array,
  float16: Uint16Array,
};
