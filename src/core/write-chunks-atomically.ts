import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { throwIfAborted } from './errors.js';

/** Largest number of bytes handed to one writev call; keeps each syscall well under 2 GiB. */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Writes `chunks` to `path` atomically: into a temp file in the same folder, fsync'd, then
 * renamed over the target. Chunks go out in batches through one file handle, so nothing is
 * concatenated into a second copy of the data. The temp file is removed on any failure.
 */
export async function writeChunksAtomically(path: string, chunks: readonly Uint8Array[], signal?: AbortSignal): Promise<number> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  let total = 0;
  try {
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = async () => {
      throwIfAborted(signal);
      let expected = batchBytes;
      let written = (await fh.writev(batch)).bytesWritten;
      // A short write is legal; finish the batch piecewise.
      if (written < expected) {
        const rest = Buffer.concat(batch.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))).subarray(written);
        let off = 0;
        while (off < rest.length) off += (await fh.write(rest, off)).bytesWritten;
        written = expected;
      }
      total += written;
      batch = [];
      batchBytes = 0;
      expected = 0;
    };
    for (const c of chunks) {
      if (c.length === 0) continue;
      batch.push(c);
      batchBytes += c.length;
      if (batchBytes >= BATCH_BYTES || batch.length >= 512) await flush();
    }
    if (batch.length) await flush();
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    return total;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
