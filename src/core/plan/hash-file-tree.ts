import { createHash } from 'node:crypto';
import type { FileEntry } from '../scan/bundle-index.js';

/**
 * A content hash of a whole tree: sha256 over the sorted `path`, NUL, content hash (or `->`
 * symlink target), newline of every file. Equal trees hash equal however they are packaged
 * (folder, zip or tar.gz), so a plan can tell whether it is applied to the tree it was made for.
 * `excluded` paths (lambdafit's own files kept in the bundle) do not count.
 */
export function hashFileTree(files: readonly Pick<FileEntry, 'path' | 'hash' | 'symlinkTarget'>[], excluded: Iterable<string> = []): string {
  const h = createHash('sha256');
  const skip = new Set(excluded);
  for (const f of [...files].filter((f) => !skip.has(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`${f.path}\0${f.symlinkTarget !== undefined ? `->${f.symlinkTarget}` : (f.hash ?? '')}\n`);
  }
  return h.digest('hex');
}
