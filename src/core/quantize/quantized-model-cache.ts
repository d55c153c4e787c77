import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * Quantized models stored by the sha256 of their content under `<cacheDir>/quantized/`, so
 * `export` and `check` get back the exact file `fit` verified without quantizing again. Entries
 * are immutable and written atomically (temp + rename); a reader always re-hashes what it takes
 * out, so a damaged entry is dropped instead of shipped.
 */
export interface QuantizedModelCache {
  /** Where the entry for `hash` lives (whether or not it exists). */
  pathFor(hash: string): string;
  /** Stores `file` under `hash` (the caller measured it); a no-op when the entry exists. */
  store(file: string, hash: string): Promise<void>;
  /**
   * Writes the entry for `hash` to `dest` (a hard link when possible, else a copy) and checks its
   * content hash. Returns false, leaving `dest` absent, on a miss or a damaged entry (removed).
   */
  retrieve(hash: string, dest: string): Promise<boolean>;
}

/** sha256 of a file's content, hex. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** Opens the quantized-model cache inside a lambdafit cache folder (see `defaultCacheDir`). */
export function openQuantizedModelCache(cacheDir: string): QuantizedModelCache {
  const root = join(cacheDir, 'quantized');
  const pathFor = (hash: string): string => {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`quantized model cache: "${hash}" is not a sha256 hex digest`);
    return join(root, `${hash}.onnx`);
  };
  return {
    pathFor,
    async store(file, hash) {
      const entry = pathFor(hash);
      if (await exists(entry)) return;
      await mkdir(root, { recursive: true });
      const tmp = join(root, `.${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        // A copy, not a link: the caller's file lives in a staging folder that is about to go.
        await copyFile(file, tmp);
        await rename(tmp, entry);
      } catch (err) {
        await rm(tmp, { force: true });
        // A full or read-only cache only costs a re-quantization later; it must not fail the caller.
        if ((err as NodeJS.ErrnoException).code !== undefined) return;
        throw err;
      }
    },
    async retrieve(hash, dest) {
      const entry = pathFor(hash);
      if (!(await exists(entry))) return false;
      await mkdir(dirname(dest), { recursive: true });
      await link(entry, dest).catch(async () => copyFile(entry, dest));
      if ((await hashFile(dest)) === hash) return true;
      await unlink(dest).catch(() => {});
      await unlink(entry).catch(() => {});
      return false;
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
