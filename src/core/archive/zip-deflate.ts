import { promisify } from 'node:util';
import { constants, deflateRaw, deflateRawSync, type ZlibOptions } from 'node:zlib';
import { createDeflateEngine } from './create-deflate-engine.js';
import { DeflatePool } from './deflate-pool.js';

/**
 * How lambdafit deflates zip entries; the writer and the size predictor both come through here,
 * so a predicted size is exact. Level 6, 32 KiB window, memLevel 8, in independent 1 MiB pieces
 * (each primed with the previous 32 KiB and ended by a sync flush, as pigz does) so one big file
 * uses every core, in one of two engines chosen from the content's first bytes:
 * - native binaries (ELF, Mach-O, PE magic): lambdafit's own zlib-equivalent engine
 *   (`createDeflateEngine`) on worker threads. Node's bundled zlib is Chromium's fork, whose
 *   hashing compresses native code about 2 % worse than stock zlib and `zip -6` (measured on
 *   libonnxruntime.so: 17.86 MB vs 17.55 MB);
 * - everything else (text, model weights, data): Node's zlib on libuv's thread pool, several
 *   times faster, as good as stock zlib on text and better on weights (an int8 model:
 *   57.07 MB vs `zip -6`'s 57.14 MB).
 * Both engines' output is independent of how the input arrives in chunks.
 */
export const ZIP_DEFLATE_OPTIONS: Readonly<ZlibOptions> = Object.freeze({
  level: 6,
  memLevel: 8,
  windowBits: 15,
  strategy: constants.Z_DEFAULT_STRATEGY,
});

/** Bytes of the start of an entry that decide its engine. */
export const SNIFF_BYTES = 4;
/** Size of the independent pieces content is deflated in. */
export const PIECE_BYTES = 1024 * 1024;
const DICT_BYTES = 32768;
/** Pieces compressed at once per stream (bounds memory for huge files). */
const PIECES_IN_FLIGHT = 6;

const deflateRawAsync = promisify(deflateRaw) as (buf: Buffer, opts: ZlibOptions) => Promise<Buffer>;

/**
 * Whether content is a native binary (ELF, Mach-O thin or fat, PE/COFF "MZ") and so goes to
 * lambdafit's own engine. Looks at the first 4 bytes only. Self-contained: the deflate workers
 * run its source.
 */
export function isNativeBinary(head: Uint8Array): boolean {
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return true;
  if (head.length < 4) return false;
  const m = (head[0] as number) * 0x1000000 + (head[1] as number) * 0x10000 + (head[2] as number) * 0x100 + (head[3] as number);
  return m === 0x7f454c46 || m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe || m === 0xcafebabe;
}

/** Deflates one piece with Node's zlib: primed with `dict`, ended by a sync flush unless final. */
export function zlibPiece(dict: Uint8Array | null, data: Uint8Array, final: boolean): Promise<Buffer> {
  return deflateRawAsync(Buffer.from(data.buffer, data.byteOffset, data.byteLength), zlibPieceOptions(dict, final));
}

function zlibPieceOptions(dict: Uint8Array | null, final: boolean): ZlibOptions {
  return { ...ZIP_DEFLATE_OPTIONS, finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH, ...(dict ? { dictionary: dict } : {}) };
}

/** Whole content as its pieces: each with the 32 KiB before it as dictionary, the last one final (empty content is one empty piece). */
function* piecesOf(data: Uint8Array): Generator<[dict: Uint8Array | null, piece: Uint8Array, final: boolean]> {
  for (let at = 0; at === 0 || at < data.length; at += PIECE_BYTES) {
    const end = Math.min(at + PIECE_BYTES, data.length);
    yield [at === 0 ? null : data.subarray(at - DICT_BYTES, at), data.subarray(at, end), end === data.length];
  }
}

/** The piece compressor for content that starts with `head`. */
function pieceEngine(head: Uint8Array): (dict: Uint8Array | null, data: Uint8Array, final: boolean) => Promise<Uint8Array> {
  if (!isNativeBinary(head)) return zlibPiece;
  const pool = DeflatePool.shared();
  return (dict, data, final) => pool.run(dict, data, final);
}

/** Deflates a whole buffer the lambdafit way. */
export async function deflateForZip(data: Buffer): Promise<Buffer> {
  const run = pieceEngine(data);
  return Buffer.concat(await Promise.all([...piecesOf(data)].map(([dict, piece, final]) => run(dict, piece, final))));
}

/**
 * The length `deflateForZip` would produce, computed on this thread (for small generated files
 * in pure planning code; big content belongs on the worker threads).
 */
export function deflatedBytesSync(data: Uint8Array): number {
  const engine = isNativeBinary(data) ? createDeflateEngine() : undefined;
  let total = 0;
  for (const [dict, piece, final] of piecesOf(data)) {
    total += engine ? engine.compress(dict, piece, final).length : deflateRawSync(piece, zlibPieceOptions(dict, final)).length;
  }
  return total;
}

/** Whether an entry is stored instead of deflated: when deflate does not make it smaller. */
export function shouldStore(uncompressedSize: number, deflatedSize: number): boolean {
  return deflatedSize >= uncompressedSize;
}

/** Bytes an entry's data takes in the zip: the deflated size, or the raw size when stored. */
export function zipDataBytes(uncompressedSize: number, deflatedSize: number): number {
  return shouldStore(uncompressedSize, deflatedSize) ? uncompressedSize : deflatedSize;
}

/**
 * Deflates streamed content the lambdafit way (same bytes as `deflateForZip` on the whole
 * content). `onInput` sees every input chunk (for hashes and CRCs); `onOutput` receives the
 * compressed bytes in order and may be async (it is awaited). Returns the byte counts.
 */
export async function deflateChunksForZip(
  chunks: AsyncIterable<Buffer>,
  onOutput: (piece: Buffer) => void | Promise<void>,
  onInput?: (chunk: Buffer) => void,
): Promise<{ inputBytes: number; outputBytes: number }> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    onInput?.(r.value);
    head.push(r.value);
    headBytes += r.value.length;
  }
  const first = Buffer.concat(head);
  async function* rest(): AsyncGenerator<Buffer> {
    yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      onInput?.(r.value);
      yield r.value;
    }
  }
  let outputBytes = 0;
  const emit = async (b: Buffer): Promise<void> => {
    outputBytes += b.length;
    await onOutput(b);
  };
  let inputBytes = 0;
  const run = pieceEngine(first);
  const inFlight: Promise<Uint8Array>[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dict: Buffer | null = null;
  const submit = async (piece: Buffer, final: boolean): Promise<void> => {
    const job = run(dict, piece, final);
    job.catch(() => {});
    inFlight.push(job);
    dict = piece.subarray(Math.max(0, piece.length - DICT_BYTES));
    if (inFlight.length >= PIECES_IN_FLIGHT) await emit(Buffer.from((await inFlight.shift()) as Uint8Array));
  };
  for await (const c of rest()) {
    inputBytes += c.length;
    pending.push(c);
    pendingBytes += c.length;
    // Keep one byte back so the last full piece is only sent once we know whether it is final.
    while (pendingBytes > PIECE_BYTES) {
      const all = Buffer.concat(pending);
      await submit(all.subarray(0, PIECE_BYTES), false);
      pending = [all.subarray(PIECE_BYTES)];
      pendingBytes = all.length - PIECE_BYTES;
    }
  }
  await submit(Buffer.concat(pending), true);
  for (const job of inFlight.splice(0)) await emit(Buffer.from(await job));
  return { inputBytes, outputBytes };
}
