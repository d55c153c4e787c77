import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OperationOptions } from '../progress.js';
import { encodedModelSize, encodeOnnxModel } from './encode-onnx-model.js';
import { externalizeModel } from './externalize-model.js';
import type { OnnxModel } from './onnx-types.js';
import { writeChunksAtomically } from '../write-chunks-atomically.js';

/** protobuf's hard limit on one message; keep a margin for the graph around the weights. */
const PROTOBUF_LIMIT = 2 ** 31 - 1;
const AUTO_EXTERNAL_AT = PROTOBUF_LIMIT - 16 * 1024 * 1024;

/** Options for writing a model file. */
export interface WriteOnnxOptions extends OperationOptions {
  /**
   * Keep tensor data in a separate file next to the model: `true`, `false`, or `'auto'`
   * (default), which switches to external data only when the model would pass protobuf's 2 GB limit.
   */
  externalData?: boolean | 'auto';
  /** Data file name next to the model (default: `<model file name>.data`). */
  externalDataLocation?: string;
  /** Tensors smaller than this many bytes stay inline (default 1,024). */
  externalSizeThreshold?: number;
  /** Encoded size at which `'auto'` switches to external data (default: 16 MiB under 2 GiB). */
  autoExternalAt?: number;
}

/** What was written. */
export interface WriteOnnxResult {
  path: string;
  /** Size of the .onnx file. */
  bytes: number;
  /** The external data file, when one was written. */
  externalDataPath?: string;
  externalDataBytes?: number;
  /** Whether external data was chosen automatically because of the 2 GB limit. */
  externalReason?: 'requested' | 'protobuf-limit';
}

/**
 * Writes a model atomically (temp file + rename), streaming its chunks through one file handle:
 * memory stays at the model's own buffers plus the few re-encoded messages. With external data,
 * the data file is written (atomically) before the model that points to it.
 */
export async function writeOnnxModel(model: OnnxModel, outPath: string, opts: WriteOnnxOptions = {}): Promise<WriteOnnxResult> {
  const mode = opts.externalData ?? 'auto';
  let external = mode === true;
  let reason: WriteOnnxResult['externalReason'] = external ? 'requested' : undefined;
  if (mode === 'auto' && encodedModelSize(model) >= (opts.autoExternalAt ?? AUTO_EXTERNAL_AT)) {
    external = true;
    reason = 'protobuf-limit';
  }
  if (!external) {
    const { chunks } = encodeOnnxModel(model);
    const bytes = await writeChunksAtomically(outPath, chunks, opts.signal);
    return { path: outPath, bytes };
  }
  const location = opts.externalDataLocation ?? `${basename(outPath)}.data`;
  if (location.includes('/') || location.includes('\\') || location === '..' || location === '.') {
    throw new TypeError(`external data location must be a plain file name, got ${location}`);
  }
  const plan = externalizeModel(model, { location, sizeThreshold: opts.externalSizeThreshold });
  const dataPath = join(dirname(outPath), location);
  const dataBytes = await writeChunksAtomically(dataPath, plan.dataChunks, opts.signal);
  try {
    const { chunks, length } = encodeOnnxModel(plan.model);
    if (length > PROTOBUF_LIMIT) throw new RangeError(`${outPath}: the graph alone is ${length} bytes, past protobuf's 2 GB limit`);
    const bytes = await writeChunksAtomically(outPath, chunks, opts.signal);
    return { path: outPath, bytes, externalDataPath: dataPath, externalDataBytes: dataBytes, externalReason: reason };
  } catch (err) {
    await rm(dataPath, { force: true });
    throw err;
  }
}
