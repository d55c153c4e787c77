import type { FileEntry } from '../scan/bundle-index.js';

/** A copy that can go because an identical file stays. */
export interface RedundantCopy {
  /** The copy that stays. */
  keeper: string;
  /** sha256 shared by both. */
  hash: string;
}

/**
 * Groups regular, non-empty files by content hash and picks, deterministically, the copy of each
 * group that stays: a file `mustStay` says is kept (user keep globs, files other rules do not
 * remove), else the shortest path, then the lexicographically first. Returns every other copy,
 * keyed by its entry.
 */
export function findRedundantCopies(files: readonly FileEntry[], mustStay: (path: string) => boolean): Map<FileEntry, RedundantCopy> {
  const groups = new Map<string, FileEntry[]>();
  for (const file of files) {
    if (!file.hash || file.symlinkTarget !== undefined || file.bytes === 0) continue;
    const group = groups.get(file.hash);
    if (group) group.push(file);
    else groups.set(file.hash, [file]);
  }
  // Keyed by the entry itself: identity lookups are cheaper than hashing 30,000 long paths.
  const redundant = new Map<FileEntry, RedundantCopy>();
  for (const [hash, group] of groups) {
    if (group.length < 2) continue;
    const keeper = group.reduce((best, file) => (preferred(file.path, best.path, mustStay) ? file : best));
    for (const file of group) if (file !== keeper) redundant.set(file, { keeper: keeper.path, hash });
  }
  return redundant;
}

function preferred(a: string, b: string, mustStay: (path: string) => boolean): boolean {
  const stayA = mustStay(a);
  if (stayA !== mustStay(b)) return stayA;
  if (a.length !== b.length) return a.length < b.length;
  return a < b;
}
