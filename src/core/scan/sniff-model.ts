import type { ModelInfo } from './bundle-index.js';

/**
 * Recognises model weight formats from their first bytes, where the format has a signature:
 * GGUF (`GGUF`), TFLite (`TFL3` at 4), safetensors (u64 LE header length, then `{`), PyTorch's
 * zip format (`PK\3\4` whose first member is `…/data.pkl`) and ONNX (a protobuf ModelProto that
 * starts with field 1, `ir_version`, as a small varint, followed by another ModelProto field).
 * Pure; returns undefined when nothing matches.
 */
export function sniffModel(header: Buffer): ModelInfo['format'] | undefined {
  if (header.length >= 4 && header.toString('latin1', 0, 4) === 'GGUF') return 'gguf';
  if (header.length >= 8 && header.toString('latin1', 4, 8) === 'TFL3') return 'tflite';
  if (header.length >= 9 && header[8] === 0x7b) {
    const n = header.readBigUInt64LE(0);
    if (n >= 2n && n < 100_000_000n) return 'safetensors';
  }
  if (header.length >= 30 && header.readUInt32LE(0) === 0x04034b50) {
    const nameLength = header.readUInt16LE(26);
    const name = header.toString('utf8', 30, Math.min(header.length, 30 + nameLength));
    if (/(^|\/)data\.pkl$/.test(name)) return 'pytorch';
    return undefined;
  }
  if (isOnnxModelProto(header)) return 'onnx';
  return undefined;
}

/** Field tags that may follow `ir_version` in a serialised ModelProto. */
const MODEL_PROTO_NEXT_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);

/** Whether the bytes start like an ONNX ModelProto (`08 <ir_version 1..15> <next field tag>`). */
export function isOnnxModelProto(header: Buffer): boolean {
  return header.length >= 3 && header[0] === 0x08 && (header[1] as number) >= 1 && (header[1] as number) <= 15 && MODEL_PROTO_NEXT_TAGS.has(header[2] as number);
}
