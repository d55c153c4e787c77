import type { DuplicateGroup, FileEntry } from './bundle-index.js';

/**
 * Groups non-empty files with the same content hash. `trees` pairs each tree's files with the
 * prefix its paths get in the groups (`''` for the code, `/opt/` for layers). Groups are ordered
 * by bytes wasted (size × extra copies), largest first; paths inside a group are sorted. Pure.
 */
export function findDuplicates(trees: readonly { prefix: string; files: readonly FileEntry[] }[]): DuplicateGroup[] {
  const byHash = new Map<string, DuplicateGroup>();
  for (const t of trees) {
    for (const f of t.files) {
      if (!f.hash || f.bytes === 0 || f.symlinkTarget !== undefined) continue;
      const g = byHash.get(f.hash);
      if (g) g.paths.push(t.prefix + f.path);
      else byHash.set(f.hash, { hash: f.hash, bytes: f.bytes, paths: [t.prefix + f.path] });
    }
  }
  return [...byHash.values()]
    .filter((g) => g.paths.length > 1)
    .map((g) => ({ ...g, paths: g.paths.sort() }))
    .sort((a, b) => b.bytes * (b.paths.length - 1) - a.bytes * (a.paths.length - 1) || (a.hash < b.hash ? -1 : 1));
}
