import { once } from 'node:events';
import { promisify } from 'node:util';
import { constants, createDeflateRaw, deflateRaw, type ZlibOptions } from 'node:zlib';
import { DeflatePool } from './deflate-pool.js';

/**
 * How lambdafit deflates zip entries; the writer and the size predictor both come through here,
 * so a predicted size is exact. Level 6, 32 KiB window, memLevel 8, in one of two engines chosen
 * from the content's first 8 KiB:
 * - binary (a NUL byte there): lambdafit's own zlib-equivalent engine (`createDeflateEngine`) on
 *   worker threads, in independent 1 MiB pieces (each primed with the previous 32 KiB and joined
 *   by a sync flush, as pigz does) so one big file uses every core. Node's bundled zlib is
 *   Chromium's fork, whose hashing compresses native binaries about 2 % worse than stock zlib and
 *   `zip -6`;
 * - text: Node's zlib, which compresses text as well as stock zlib and several times faster.
 * Both engines' output is independent of how the input arrives in chunks.
 */
export const ZIP_DEFLATE_OPTIONS: Readonly<ZlibOptions> = Object.freeze({
  level: 6,
  memLevel: 8,
  windowBits: 15,
  strategy: constants.Z_DEFAULT_STRATEGY,
});

/** Bytes of the start of an entry that decide its engine. */
export const SNIFF_BYTES = 8192;
/** Size of the independent pieces of binary content. */
export const PIECE_BYTES = 1024 * 1024;
const DICT_BYTES = 32768;
/** Pieces compressed at once per stream (bounds memory for huge files). */
const PIECES_IN_FLIGHT = 6;

const deflateRawAsync = promisify(deflateRaw) as (buf: Buffer, opts: ZlibOptions) => Promise<Buffer>;

/** Whether content counts as binary for the engine choice: a NUL byte in its first 8 KiB. */
export function isBinaryContent(head: Uint8Array): boolean {
  return head.subarray(0, SNIFF_BYTES).includes(0);
}

/** Deflates a whole buffer the lambdafit way. */
export async function deflateForZip(data: Buffer): Promise<Buffer> {
  if (!isBinaryContent(data)) return deflateRawAsync(data, ZIP_DEFLATE_OPTIONS);
  const pool = DeflatePool.shared();
  const pieces: Promise<Uint8Array>[] = [];
  for (let at = 0; at < data.length; at += PIECE_BYTES) {
    const end = Math.min(at + PIECE_BYTES, data.length);
    pieces.push(pool.run(at === 0 ? null : data.subarray(at - DICT_BYTES, at), data.subarray(at, end), end === data.length));
  }
  return Buffer.concat(await Promise.all(pieces));
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
  if (!isBinaryContent(first)) {
    const d = createDeflateRaw(ZIP_DEFLATE_OPTIONS);
    const drain = (async () => {
      for await (const out of d) await emit(out as Buffer);
    })();
    drain.catch(() => {});
    try {
      for await (const c of rest()) {
        inputBytes += c.length;
        if (!d.write(c)) await once(d, 'drain');
      }
      d.end();
      await drain;
    } finally {
      d.destroy();
    }
    return { inputBytes, outputBytes };
  }
  const pool = DeflatePool.shared();
  const inFlight: Promise<Uint8Array>[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dict: Buffer | null = null;
  const submit = async (piece: Buffer, final: boolean): Promise<void> => {
    const job = pool.run(dict, piece, final);
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
