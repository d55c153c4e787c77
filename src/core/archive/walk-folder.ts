import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate as nextTick } from 'node:timers/promises';
import { InputError, throwIfAborted } from '../errors.js';
import type { SourceEntry } from './bundle-source.js';
import { normalizeEntryPath } from './normalize-entry-path.js';
import { WALK_CHUNK, WALK_DIR, WALK_FILE, WALK_NUMS, WalkWorker, type WalkChunk, type WalkResult } from './walk-worker.js';

/** Options of `walkFolder`. */
export interface WalkFolderOptions {
  /** Stops the walk between batches; it then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Called after each batch with the running totals (the caller throttles). */
  onBatch?: (files: number, bytes: number) => void;
}

/** Entries between yields to the event loop (keeps cancellation and progress responsive). */
const BATCH = 1000;
/** Directories listed on the main thread before the helper thread is worth starting. */
const SOLO_DIRS = 64;
/** Most directories handed to the helper at once. */
const HANDOFF = 32;
/** Most names of split directories handed to the helper at once (a few milliseconds of lstat). */
const HANDOFF_NAMES = 2048;

/** Work of the walk: a directory to list (its path) or a chunk of a big directory's names to lstat. */
type WalkTask = string | WalkChunk;

/**
 * Lists a folder tree: every directory, file and symlink with lstat facts, never following
 * symlinks. Uses synchronous readdir/lstat in batches: on a cached tree each call takes a few
 * microseconds, far less than a round trip through libuv's thread pool, and yielding between
 * batches keeps the event loop (and the AbortSignal) alive. Past the first directories, batches
 * of pending directories go to a helper thread (`WalkWorker`) that lists them while this thread
 * lists others; their subdirectories come back onto this thread's stack, so a big tree is listed
 * on two cores and neither side runs dry before the end. A directory of more than `WALK_CHUNK`
 * entries is split into chunks of names, so one huge folder (an icon set of 20,000 files) is
 * shared too instead of keeping one thread busy while the other waits.
 * Unsorted; callers validate and sort.
 */
export async function walkFolder(root: string, options: WalkFolderOptions = {}): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  const stack: WalkTask[] = [''];
  let sinceYield = 0;
  let files = 0;
  let bytes = 0;
  let listed = 0;
  // Started only once a tree proves big: a small bundle never pays for a thread.
  const canShare = availableParallelism() > 1;
  let helper: WalkWorker | undefined;
  const take = (r: WalkResult): void => {
    if (r.error) throw helperError(root, r.error);
    const paths = r.types.length === 0 ? [] : r.paths.split('\0');
    for (let i = 0; i < paths.length; i++) {
      const n = i * WALK_NUMS;
      const type = r.types[i] === WALK_DIR ? 'dir' : r.types[i] === WALK_FILE ? 'file' : 'symlink';
      const entry: SourceEntry = { path: paths[i] as string, type, size: r.nums[n] as number, mode: r.nums[n + 1] as number, mtimeMs: r.nums[n + 2] as number, ctimeMs: r.nums[n + 3] as number, ino: r.nums[n + 4] as number };
      if (type === 'symlink') entry.linkTarget = r.links[i] as string;
      if (type === 'dir') stack.push(entry.path);
      else files++;
      bytes += entry.size;
      out.push(entry);
    }
    for (const chunk of r.leftovers) stack.push(chunk);
  };
  /** Gives the helper the oldest tasks (the biggest subtrees), at most half of the stack. */
  const handOff = (worker: WalkWorker): void => {
    const dirs: string[] = [];
    const chunks: WalkChunk[] = [];
    let names = 0;
    let n = 0;
    while (n < stack.length >> 1 && dirs.length < HANDOFF && names < HANDOFF_NAMES) {
      const task = stack[n++] as WalkTask;
      if (typeof task === 'string') dirs.push(task);
      else {
        chunks.push(task);
        names += WALK_CHUNK;
      }
    }
    stack.splice(0, n);
    worker.start(root, dirs, chunks);
  };
  try {
    while (stack.length > 0 || helper?.pending) {
      if (helper?.pending) {
        const r = helper.poll(stack.length === 0);
        if (r) take(r);
      }
      if (canShare && !helper?.pending && listed >= SOLO_DIRS && stack.length >= 2) handOff((helper ??= WalkWorker.shared()));
      if (stack.length === 0) continue;
      const task = stack.pop() as WalkTask;
      let rel: string;
      let names: string[];
      if (typeof task === 'string') {
        rel = task;
        const abs = rel === '' ? root : `${root}/${rel}`;
        listed++;
        try {
          names = readdirSync(abs);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel !== '') continue; // removed while walking
          throw unreadable(abs, err);
        }
        if (names.length > WALK_CHUNK) {
          for (let i = WALK_CHUNK; i < names.length; i += WALK_CHUNK) stack.push({ rel, names: names.slice(i, i + WALK_CHUNK).join('\0') });
          names = names.slice(0, WALK_CHUNK);
        }
      } else {
        rel = task.rel;
        names = task.names.split('\0');
      }
      for (const name of names) {
        const path = rel === '' ? name : `${rel}/${name}`;
        if (name.includes('\\')) normalizeEntryPath(root, path);
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
          throw deviceFile(full);
        }
        if (++sinceYield >= BATCH) {
          sinceYield = 0;
          options.onBatch?.(files, bytes);
          await nextTick();
          throwIfAborted(options.signal);
        }
      }
    }
  } finally {
    // An error or abort must not leave a batch out: the next walk would get its answer.
    if (helper?.pending) helper.poll(true);
  }
  options.onBatch?.(files, bytes);
  return out;
}

function deviceFile(full: string): InputError {
  return new InputError(
    `${full}: this is a device file, FIFO or socket, which has no place in a Lambda bundle; move it out of the bundle folder.`,
    'E_DEVICE_FILE',
  );
}

/** The error the main thread's walk would have thrown for what the helper met. */
function helperError(root: string, e: { path: string; code: string }): Error {
  if (e.code === 'EBACKSLASH') {
    normalizeEntryPath(root, e.path);
    return new Error(`walk worker: unexpected backslash verdict for ${e.path}`);
  }
  if (e.code === 'ESPECIAL') return deviceFile(e.path);
  const err = Object.assign(new Error(`${e.code}: ${e.path}`), { code: e.code });
  return unreadable(e.path, err);
}

function unreadable(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new InputError(`${path}: cannot read it (${code}); fix its permissions or remove it from the bundle.`, 'E_INPUT_UNREADABLE', { cause: err });
}
