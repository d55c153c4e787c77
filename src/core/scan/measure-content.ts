import { createHash } from 'node:crypto';
import { deflateChunksForZip, deflateForZip, zipDataBytes } from '../archive/zip-deflate.js';

/** What to compute for a file's content. */
export interface MeasureOptions {
  /** Compute the sha256. */
  hash: boolean;
  /** Compute the bytes the data takes in a lambdafit zip (deflated level 6, or stored). */
  compress: boolean;
  /** Bytes of the start of the content to keep (for header sniffing of streamed files). */
  keepHead?: number;
}

/** Results of measuring one file's content. */
export interface ContentMeasure {
  size: number;
  hash?: string;
  /** Bytes in the zip (deflated or stored, whichever is smaller; see `zipDataBytes`). */
  zipBytes?: number;
  /** The first `keepHead` bytes (streamed content only). */
  head?: Buffer;
}

/** Hashes and/or compresses a whole buffer, exactly as `writeZip` would compress it. */
export async function measureBuffer(data: Buffer, options: MeasureOptions): Promise<ContentMeasure> {
  const out: ContentMeasure = { size: data.length };
  if (options.hash) out.hash = createHash('sha256').update(data).digest('hex');
  if (options.compress) out.zipBytes = zipDataBytes(data.length, (await deflateForZip(data)).length);
  return out;
}

/**
 * Streams content once through sha256 and the zip deflate together (only the compressed byte
 * count is kept), so a 265 MB model is read once and never held in memory whole.
 */
export async function measureChunks(chunks: AsyncIterable<Buffer>, options: MeasureOptions): Promise<ContentMeasure> {
  const hasher = options.hash ? createHash('sha256') : undefined;
  const keep = options.keepHead ?? 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  let size = 0;
  const onInput = (chunk: Buffer): void => {
    size += chunk.length;
    if (headBytes < keep) {
      const piece = chunk.subarray(0, keep - headBytes);
      head.push(Buffer.from(piece));
      headBytes += piece.length;
    }
    hasher?.update(chunk);
  };
  let compressed: number | undefined;
  if (options.compress) compressed = (await deflateChunksForZip(chunks, () => {}, onInput)).outputBytes;
  else for await (const chunk of chunks) onInput(chunk);
  const out: ContentMeasure = { size };
  if (hasher) out.hash = hasher.digest('hex');
  if (compressed !== undefined) out.zipBytes = zipDataBytes(size, compressed);
  if (keep > 0) out.head = Buffer.concat(head);
  return out;
}
