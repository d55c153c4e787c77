import { centralHeaderBytes, localHeaderBytes, nameBytes } from '../archive/zip-layout.js';
import type { FileEntry } from '../scan/bundle-index.js';

/**
 * Bytes a lambdafit zip (`writeZip`'s layout, `src/core/archive/zip-layout.ts`) holds for one
 * file: local header + name + data + central header + name, zip64 extras included. Data is the
 * scan's compressed size (the size itself when the scan has none, as the writer then stores);
 * a symlink stores its target. The entry offset is taken as 0, which only matters past 4 GiB.
 */
export function zipEntryBytes(file: Pick<FileEntry, 'path' | 'bytes' | 'compressedBytes' | 'symlinkTarget'>): number {
  const size = file.symlinkTarget !== undefined ? Buffer.byteLength(file.symlinkTarget, 'utf8') : file.bytes;
  const data = file.symlinkTarget !== undefined ? size : (file.compressedBytes ?? file.bytes);
  const name = nameBytes(file.path);
  return localHeaderBytes(name, size) + data + centralHeaderBytes(name, size, data, 0);
}

/** Bytes of a directory entry (`a/b/`): the writer adds one for every parent folder of a file. */
export function zipDirectoryEntryBytes(dir: string): number {
  const name = nameBytes(dir) + 1;
  return localHeaderBytes(name, 0) + centralHeaderBytes(name, 0, 0, 0);
}

/** For every folder of a tree, how many files sit below it at any depth. */
export function countFilesPerFolder(dirs: readonly string[], filesPerDir: ArrayLike<number>): Map<string, number> {
  const counts = new Map<string, number>();
  for (let id = 0; id < dirs.length; id++) {
    const n = filesPerDir[id]!;
    if (n === 0) continue;
    const dir = dirs[id]!;
    for (let end = dir.length; end > 0; end = dir.lastIndexOf('/', end - 1)) {
      const folder = dir.slice(0, end);
      counts.set(folder, (counts.get(folder) ?? 0) + n);
    }
  }
  return counts;
}

/** A file of the tree with the dense id of its folder (an `IndexedPath` qualifies). */
export interface FileInFolder {
  file: FileEntry;
  dirId: number;
}

/**
 * How much the zip shrinks when these files alone are removed: their entries, plus the entries of
 * folders left with no file at all. `dirs` maps folder ids to paths and `folderCounts` comes from
 * `countFilesPerFolder`. Applying several candidates together can empty a few more folders, so
 * their sum is a slight underestimate of the combined saving.
 */
export function zipBytesSaved(files: readonly FileInFolder[], dirs: readonly string[], folderCounts: ReadonlyMap<string, number>): number {
  let saved = 0;
  // Folders are walked once per distinct folder, not once per file.
  const perDir = new Map<number, number>();
  for (const { file, dirId } of files) {
    saved += zipEntryBytes(file);
    perDir.set(dirId, (perDir.get(dirId) ?? 0) + 1);
  }
  const removedBelow = new Map<string, number>();
  for (const [dirId, n] of perDir) {
    const dir = dirs[dirId]!;
    for (let end = dir.length; end > 0; end = dir.lastIndexOf('/', end - 1)) {
      const folder = dir.slice(0, end);
      removedBelow.set(folder, (removedBelow.get(folder) ?? 0) + n);
    }
  }
  for (const [folder, removed] of removedBelow) if (removed === folderCounts.get(folder)) saved += zipDirectoryEntryBytes(folder);
  return saved;
}
