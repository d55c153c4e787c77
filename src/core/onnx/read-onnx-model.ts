import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { InputError } from '../errors.js';
import { decodeMessage, type MessageTransform } from './decode-message.js';
import { modelSchema, tensorSchema } from './onnx-schemas.js';
import type { OnnxModel, OnnxTensor } from './onnx-types.js';
import { WireError } from './wire-reader.js';

/** Options for decoding a model. */
export interface DecodeOnnxOptions {
  /** Name used in error messages (the file path, usually). */
  source?: string;
  /** Folder that external-data `location`s are relative to; required if the model has any. */
  baseDir?: string;
  /**
   * Read external tensor data in (default true). When false, external tensors keep their
   * `externalData` references and no data: enough to inspect a model, not to rewrite it.
   */
  loadExternalData?: boolean;
  /** Receives the path of every external data file the model uses. */
  externalFiles?: Set<string>;
}

/** protobuf cannot represent a message of 2 GiB or more (reference §6). */
const PROTOBUF_LIMIT = 2 ** 31;

/** Recognises the formats people most often mistake for ONNX, to say what the file really is. */
function sniffForeignFormat(buf: Buffer): string | undefined {
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x504b0304) return 'a zip archive (a PyTorch checkpoint?)';
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'GGUF') return 'a GGUF model';
  if (buf.length >= 8 && buf.toString('latin1', 4, 8) === 'TFL3') return 'a TensorFlow Lite model';
  if (buf.length >= 2 && buf[0] === 0x80 && buf[1]! <= 5) return 'a Python pickle';
  if (buf.length >= 9 && buf.readUInt32LE(4) === 0 && buf[8] === 0x7b) return 'a safetensors file';
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89484446) return 'an HDF5 (Keras) file';
  return undefined;
}

/** Reads external tensor bytes on demand, one open descriptor per data file. */
class ExternalDataLoader {
  private readonly fds = new Map<string, { fd: number; size: number }>();
  constructor(
    private readonly source: string,
    private readonly baseDir: string | undefined,
    private readonly files?: Set<string>,
  ) {}

  load(t: Record<string, unknown>): Record<string, unknown> {
    const tensor = t as unknown as OnnxTensor;
    const entries = new Map(tensor.externalData.map((e) => [e.key ?? '', e.value ?? '']));
    const name = tensor.name ?? '(unnamed)';
    const location = entries.get('location');
    if (!location) throw new InputError(`${this.source}: tensor ${name} is marked external but has no location; re-export the model.`, 'E_ONNX_EXTERNAL');
    if (isAbsolute(location) || normalize(location).split(/[\\/]/).includes('..')) {
      throw new InputError(`${this.source}: tensor ${name} points outside the model folder (${location}); external data must sit next to the model.`, 'E_ONNX_EXTERNAL');
    }
    if (!this.baseDir) throw new InputError(`${this.source}: the model keeps tensor data in ${location}; load it from a file path so that file can be found.`, 'E_ONNX_EXTERNAL');
    const file = join(this.baseDir, location);
    let handle = this.fds.get(file);
    if (!handle) {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch {
        throw new InputError(`${this.source}: external data file ${location} is missing; put it next to ${basename(this.source)}.`, 'E_ONNX_EXTERNAL_MISSING');
      }
      handle = { fd, size: fstatSync(fd).size };
      this.fds.set(file, handle);
      this.files?.add(file);
    }
    const offset = Number(entries.get('offset') ?? '0');
    const length = entries.has('length') ? Number(entries.get('length')) : handle.size - offset;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > handle.size) {
      throw new InputError(`${this.source}: tensor ${name} wants bytes ${offset}..${offset + length} of ${location}, which has ${handle.size}; the data file is truncated or belongs to another model.`, 'E_ONNX_EXTERNAL');
    }
    const data = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(handle.fd, data, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return { ...t, rawData: data, externalData: [], dataLocation: undefined };
  }

  close(): void {
    for (const { fd } of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/**
 * Decodes an ONNX model from bytes. Tensor data stays as zero-copy views into `buf`; external
 * data is read in (and those tensors are re-encoded as raw_data when written unless the writer is
 * asked to externalise them again). Throws InputError for anything that is not a valid model.
 */
export function decodeOnnxModel(buf: Buffer, opts: DecodeOnnxOptions = {}): OnnxModel {
  const source = opts.source ?? 'model';
  if (buf.length === 0) throw new InputError(`${source} is empty; it is not an ONNX model.`, 'E_ONNX_EMPTY');
  const foreign = sniffForeignFormat(buf);
  if (foreign) throw new InputError(`${source} is ${foreign}, not an ONNX model; export it to ONNX first.`, 'E_ONNX_FORMAT');
  const loader = new ExternalDataLoader(source, opts.baseDir, opts.externalFiles);
  const transform: MessageTransform | undefined =
    opts.loadExternalData === false
      ? undefined
      : (schema, message) => (schema === tensorSchema && (message as { dataLocation?: number }).dataLocation === 1 ? loader.load(message) : message);
  let model: OnnxModel;
  try {
    model = decodeMessage(buf, 0, buf.length, modelSchema, transform) as unknown as OnnxModel;
  } catch (err) {
    if (err instanceof InputError) throw err;
    if (err instanceof WireError) {
      const truncated = /truncated|past the end/.test(err.message);
      throw new InputError(
        truncated
          ? `${source} is truncated (${err.message}); copy or download it again.`
          : `${source} is not a valid ONNX model (${err.message}); check that it is an .onnx file and not corrupted.`,
        truncated ? 'E_ONNX_TRUNCATED' : 'E_ONNX_FORMAT',
        { cause: err },
      );
    }
    throw err;
  } finally {
    loader.close();
  }
  if (!model.graph || model.irVersion === undefined) {
    throw new InputError(`${source} is not an ONNX model (it has no ${model.graph ? 'ir_version' : 'graph'}); check that it is an .onnx file.`, 'E_ONNX_FORMAT');
  }
  return model;
}

/**
 * Reads and decodes an ONNX model file (or bytes already in memory). External data files are
 * resolved next to the model. Never modifies the input.
 */
export async function readOnnxModel(input: string | Buffer, opts: DecodeOnnxOptions = {}): Promise<OnnxModel> {
  if (Buffer.isBuffer(input)) return decodeOnnxModel(input, opts);
  let size: number;
  try {
    const st = await stat(input);
    if (!st.isFile()) throw new InputError(`${input} is not a file; give the path of an .onnx model.`, 'E_ONNX_NOT_FILE');
    size = st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${input} does not exist or cannot be read; check the path.`, 'E_ONNX_NOT_FOUND', { cause: err });
  }
  if (size >= PROTOBUF_LIMIT) {
    throw new InputError(`${input} is ${size} bytes, past protobuf's 2 GiB limit; no valid ONNX file is that large (store weights as external data).`, 'E_ONNX_TOO_LARGE');
  }
  const buf = await readFile(input);
  return decodeOnnxModel(buf, { ...opts, source: opts.source ?? input, baseDir: opts.baseDir ?? dirname(input) });
}
