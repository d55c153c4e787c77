import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { BundleSource, EntryVisitor, SourceEntry, VisitOptions } from './bundle-source.js';
import { runPool } from './run-pool.js';
import { validateTree } from './validate-tree.js';
import { walkFolder, type WalkFolderOptions } from './walk-folder.js';

/** Reads up to this size are done with synchronous calls (microseconds on a cached file). */
const SYNC_READ_MAX = 256 * 1024;

/** Reads `[offset, offset + length)` of a file synchronously (shorter at the end of the file). */
export function readRangeSync(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a folder as a bundle source. The tree is walked once, lazily, without following
 * symlinks; it then must not change while it is read (a file that does is read as it is now).
 */
export async function openFolderSource(path: string, options: Pick<WalkFolderOptions, 'onBatch'> = {}): Promise<BundleSource> {
  const root = resolve(path);
  let st;
  try {
    st = statSync(root);
  } catch (err) {
    throw new InputError(`${root}: cannot open the folder (${(err as NodeJS.ErrnoException).code}); check the path.`, 'E_INPUT_UNREADABLE', { cause: err });
  }
  if (!st.isDirectory()) throw new InputError(`${root}: not a folder; pass a folder, a .zip or a .tar.gz.`, 'E_INPUT_TYPE');
  return new FolderSource(root, options.onBatch);
}

class FolderSource implements BundleSource {
  readonly type = 'folder' as const;
  readonly randomAccess = true;
  private listed: { entries: SourceEntry[]; warnings: string[] } | undefined;
  constructor(
    readonly path: string,
    private readonly onBatch?: (files: number, bytes: number) => void,
  ) {}

  async entries(options: { signal?: AbortSignal } = {}): Promise<SourceEntry[]> {
    if (!this.listed) {
      const found = await walkFolder(this.path, { signal: options.signal, onBatch: this.onBatch });
      this.listed = validateTree(this.path, found, { fromFilesystem: true });
    }
    return this.listed.entries;
  }

  warnings(): string[] {
    return [...(this.listed?.warnings ?? [])];
  }

  private abs(entry: SourceEntry): string {
    return `${this.path}/${entry.path}`;
  }

  async visit(visitor: EntryVisitor, options: VisitOptions = {}): Promise<void> {
    const entries = await this.entries({ signal: options.signal });
    await runPool(
      entries,
      options.concurrency ?? 4,
      (e) =>
        visitor(
          e,
          e.type === 'file' ? { readAll: () => this.readFile(e), chunks: () => this.readChunks(e), localPath: this.abs(e) } : undefined,
        ),
      options.signal,
    );
  }

  async readFile(entry: SourceEntry): Promise<Buffer> {
    if (entry.size <= SYNC_READ_MAX) {
      // One byte more than lstat said, so a file that grew since the walk is read whole.
      const buf = readRangeSync(this.abs(entry), 0, entry.size + 1);
      return buf.length <= entry.size ? buf : Buffer.concat([buf, await readFile(this.abs(entry)).then((b) => b.subarray(buf.length))]);
    }
    return readFile(this.abs(entry));
  }

  readChunks(entry: SourceEntry): AsyncIterable<Buffer> {
    return createReadStream(this.abs(entry), { highWaterMark: 1024 * 1024 });
  }

  async readRange(entry: SourceEntry, offset: number, length: number): Promise<Buffer> {
    return readRangeSync(this.abs(entry), offset, length);
  }

  async close(): Promise<void> {
    // Files are opened per read.
  }
}
