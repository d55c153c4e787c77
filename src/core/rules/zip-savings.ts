import { centralHeaderBytes, localHeaderBytes, nameBytes } from '../archive/zip-layout.js';
import type { FileEntry } from '../scan/bundle-index.js';

/**
 * Bytes a lambdafit zip (`writeZip`'s layout, `src/core/archive/zip-layout.ts`) holds for one
 * file: local header + name + data + central header + name, zip64 extras included. Data is the
 * scan's compressed size (the size itself when the scan has none, as the writer then stores);
 * a symlink stores its target. The entry offset is taken as 0, which only matters past 4 GiB.
 */
export function zipEntryBytes(file: Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'symlinkTarget'>): number {
  return entryBytes(file, nameBytes(file.path));
}

/** `zipEntryBytes` with the UTF-8 length of the file's path already known. */
function entryBytes(file: Pick<FileEntry, 'bytes' | 'compressedBytes' | 'symlinkTarget'>, name: number): number {
  const size = file.symlinkTarget !== undefined ? Buffer.byteLength(file.symlinkTarget, 'utf8') : file.bytes;
  const data = file.symlinkTarget !== undefined ? size : (file.compressedBytes ?? file.bytes);
  return localHeaderBytes(name, size) + data + centralHeaderBytes(name, size, data, 0);
}

/** Bytes of a directory entry (`a/b/`): the writer adds one for every parent folder of a file. */
export function zipDirectoryEntryBytes(dir: string): number {
  const name = nameBytes(dir) + 1;
  return localHeaderBytes(name, 0) + centralHeaderBytes(name, 0, 0, 0);
}

/**
 * For every folder id, how many files sit in it or below it at any depth. `parentDirIds` and
 * `filesPerDir` come from `indexTreePaths`.
 */
export function countFilesBelow(parentDirIds: ArrayLike<number>, filesPerDir: ArrayLike<number>): Uint32Array {
  const below = new Uint32Array(filesPerDir.length);
  for (let id = 0; id < filesPerDir.length; id++) {
    const n = filesPerDir[id]!;
    if (n === 0) continue;
    for (let d = id; d !== -1; d = parentDirIds[d]!) below[d]! += n;
  }
  return below;
}

/** The folder tree of one index, as `zipBytesSaved` needs it. */
export interface FolderTree {
  /** Path of each folder id, `''` for the root. */
  dirs: readonly string[];
  /** Parent of each folder id; -1 for top-level folders and the root. */
  parentDirIds: ArrayLike<number>;
  /** Files in or below each folder id (`countFilesBelow`). */
  filesBelow: ArrayLike<number>;
}

/**
 * How much the zip shrinks when these files alone are removed: their entries, plus the entries of
 * folders left with no file at all. `dirIds[i]` is the folder id of `files[i]` in `folders`.
 * Applying several candidates together can empty a few more folders, so their sum is a slight
 * underestimate of the combined saving.
 */
export function zipBytesSaved(files: readonly FileEntry[], dirIds: ArrayLike<number>, folders: FolderTree): number {
  const { dirs, parentDirIds, filesBelow } = folders;
  // One UTF-8 measure of all paths instead of one per path: when they are all ASCII, as they
  // nearly always are, each path's byte length is its string length.
  const paths = files.map((f) => f.path);
  const ascii = Buffer.byteLength(paths.join(''), 'utf8') === paths.reduce((n, p) => n + p.length, 0);
  let saved = 0;
  const removedBelow = new Uint32Array(dirs.length);
  const touched: number[] = [];
  // Files of one folder are usually adjacent: folders are walked up once per run of files, not per file.
  for (let i = 0; i < files.length; ) {
    const dirId = dirIds[i]!;
    const start = i;
    for (; i < files.length && dirIds[i] === dirId; i++) saved += entryBytes(files[i]!, ascii ? paths[i]!.length : nameBytes(paths[i]!));
    // The root has no entry of its own.
    if (dirs[dirId] === '') continue;
    for (let d = dirId; d !== -1; d = parentDirIds[d]!) {
      if (removedBelow[d] === 0) touched.push(d);
      removedBelow[d]! += i - start;
    }
  }
  for (const d of touched) if (removedBelow[d] === filesBelow[d]) saved += zipDirectoryEntryBytes(dirs[d]!);
  return saved;
}
