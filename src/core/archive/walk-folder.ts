import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { setImmediate as nextTick } from 'node:timers/promises';
import { InputError, throwIfAborted } from '../errors.js';
import type { SourceEntry } from './bundle-source.js';
import { normalizeEntryPath } from './normalize-entry-path.js';

/** Options of `walkFolder`. */
export interface WalkFolderOptions {
  /** Stops the walk between batches; it then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Called after each batch with the running totals (the caller throttles). */
  onBatch?: (files: number, bytes: number) => void;
}

/** Entries between yields to the event loop (keeps cancellation and progress responsive). */
const BATCH = 1000;

/**
 * Lists a folder tree: every directory, file and symlink with lstat facts, never following
 * symlinks. Uses synchronous readdir/lstat in batches: on a cached tree each call takes a few
 * microseconds, far less than a round trip through libuv's thread pool, and yielding between
 * batches keeps the event loop (and the AbortSignal) alive. Unsorted; callers validate and sort.
 */
export async function walkFolder(root: string, options: WalkFolderOptions = {}): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  const stack: string[] = [''];
  let sinceYield = 0;
  let files = 0;
  let bytes = 0;
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    const abs = rel === '' ? root : `${root}/${rel}`;
    let names;
    try {
      names = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel !== '') continue; // removed while walking
      throw unreadable(abs, err);
    }
    for (const d of names) {
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.name.includes('\\')) normalizeEntryPath(root, path);
      const full = `${root}/${path}`;
      let st;
      try {
        st = lstatSync(full);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw unreadable(full, err);
      }
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.push({ path, type: 'dir', size: 0, mode, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
        stack.push(path);
      } else if (st.isFile()) {
        out.push({ path, type: 'file', size: st.size, mode, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
        files++;
        bytes += st.size;
      } else if (st.isSymbolicLink()) {
        out.push({ path, type: 'symlink', size: 0, mode, linkTarget: readlinkSync(full), mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
        files++;
      } else {
        throw new InputError(
          `${full}: this is a device file, FIFO or socket, which has no place in a Lambda bundle; move it out of the bundle folder.`,
          'E_DEVICE_FILE',
        );
      }
      if (++sinceYield >= BATCH) {
        sinceYield = 0;
        options.onBatch?.(files, bytes);
        await nextTick();
        throwIfAborted(options.signal);
      }
    }
  }
  options.onBatch?.(files, bytes);
  return out;
}

function unreadable(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new InputError(`${path}: cannot read it (${code}); fix its permissions or remove it from the bundle.`, 'E_INPUT_UNREADABLE', { cause: err });
}
