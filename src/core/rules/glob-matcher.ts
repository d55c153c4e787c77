import { globMatches, type CompiledGlob } from './compile-glob.js';

/** Which distinct folder and file name a path has (ids from `indexTreePaths`). */
export interface PathKey {
  /** Dense folder id. */
  dirId: number;
  /** Dense file-name id. */
  baseId: number;
  /** The file name. */
  base: string;
}

/** A glob list bound to one tree, with memo tables. Folders are given relative to the rule's scope. */
export interface GlobMatcher {
  /** False when no glob of the list can match any file directly in this folder. */
  folderCanMatch(dirId: number, scopedDir: string): boolean;
  /**
   * For lists of at most 31 globs without `full` ones: the bit mask of globs whose folder part
   * accepts the folder, and of those whose name part accepts the name. A file can match only if
   * `folderMask & nameMask` is non-zero. Undefined for other lists.
   */
  masks?: {
    folderMask(dirId: number, scopedDir: string): number;
    /** Memo of name masks by name id; -1 until `nameMask` computed it. Read directly in hot loops. */
    nameMemo: Int32Array;
    nameMask(baseId: number, base: string): number;
  };
  /** The first glob (as written) that matches the file, if any. */
  match(key: PathKey, scopedDir: string): string | undefined;
}

// Bit masks are 32-bit integers; -1 marks a memo slot not computed yet, so one bit stays free.
const CHUNK = 31;

type SplitGlob = Extract<CompiledGlob, { shape: 'split' }>;
type FullGlob = Extract<CompiledGlob, { shape: 'full' }>;

interface Chunk {
  globs: SplitGlob[];
  dirMemo: Int32Array;
  baseMemo: Int32Array;
  /** Bits of globs that accept any file name. */
  anyName: number;
  /** All name patterns of the chunk in one regex: most names match none, and then one test settles it. */
  someName: RegExp | undefined;
}

/**
 * Builds a memoizing matcher for one glob list over one tree. Split globs are evaluated once
 * per distinct folder and once per distinct file name and stored as bit masks in typed arrays,
 * so testing a file costs two array reads per 31 globs; `full` globs run their regex on the
 * scoped path.
 */
export function createGlobMatcher(
  globs: readonly CompiledGlob[],
  sizes: { dirCount: number; baseCount: number },
  prefilter?: NamePrefilter,
): GlobMatcher {
  const split = globs.filter((g): g is SplitGlob => g.shape === 'split');
  const full = globs.filter((g): g is FullGlob => g.shape === 'full');
  const chunks: Chunk[] = [];
  for (let i = 0; i < split.length; i += CHUNK) {
    const globs = split.slice(i, i + CHUNK);
    const named = globs.filter((g) => g.baseRe);
    chunks.push({
      globs,
      dirMemo: new Int32Array(sizes.dirCount).fill(-1),
      baseMemo: new Int32Array(sizes.baseCount).fill(-1),
      anyName: globs.reduce((bits, g, j) => (g.base ? bits : bits | (1 << j)), 0),
      someName: named.length > 1 ? new RegExp(named.map((g) => `(?:${g.baseRe!.source})`).join('|'), named[0]!.baseRe!.flags) : undefined,
    });
  }
  const dirMask = (chunk: Chunk, dirId: number, scopedDir: string): number => {
    let mask = chunk.dirMemo[dirId]!;
    if (mask === -1) {
      mask = 0;
      for (let i = 0; i < chunk.globs.length; i++) if (chunk.globs[i]!.dir(scopedDir)) mask |= 1 << i;
      chunk.dirMemo[dirId] = mask;
    }
    return mask;
  };
  const nameMask = (chunk: Chunk, baseId: number, base: string): number => {
    let mask = chunk.baseMemo[baseId]!;
    if (mask === -1) {
      mask = chunk.anyName;
      if ((!prefilter || prefilter(baseId, base)) && (!chunk.someName || chunk.someName.test(base))) {
        for (let i = 0; i < chunk.globs.length; i++) {
          const test = chunk.globs[i]!.base;
          if (test?.(base)) mask |= 1 << i;
        }
      }
      chunk.baseMemo[baseId] = mask;
    }
    return mask;
  };
  const only = chunks.length === 1 && full.length === 0 ? chunks[0]! : undefined;
  return {
    masks: only && {
      folderMask: (dirId, scopedDir) => dirMask(only, dirId, scopedDir),
      nameMemo: only.baseMemo,
      nameMask: (baseId, base) => nameMask(only, baseId, base),
    },
    folderCanMatch(dirId, scopedDir) {
      return full.length > 0 || chunks.some((chunk) => dirMask(chunk, dirId, scopedDir) !== 0);
    },
    match(key, scopedDir) {
      for (let c = 0; c < chunks.length; c++) {
        const chunk = chunks[c]!;
        const inFolder = dirMask(chunk, key.dirId, scopedDir);
        if (inFolder === 0) continue;
        const both = inFolder & nameMask(chunk, key.baseId, key.base);
        if (both !== 0) return chunk.globs[31 - Math.clz32(both & -both)]!.glob;
      }
      if (full.length === 0) return undefined;
      const path = scopedDir ? `${scopedDir}/${key.base}` : key.base;
      return full.find((g) => g.test(path))?.glob;
    },
  };
}

/**
 * Says whether a file name can match any of many globs' name patterns, memoized per name id.
 * Shared by the matchers of all rules of one tree: most names (index.js, Button.js) match no
 * pattern at all, and one test then settles every rule at once.
 */
export type NamePrefilter = (baseId: number, base: string) => boolean;

/** Builds the prefilter over every name pattern of `globs`; pass it only to matchers whose globs are all included. */
export function createNamePrefilter(globs: readonly CompiledGlob[], baseCount: number): NamePrefilter {
  const patterns = globs.flatMap((g) => (g.shape === 'split' && g.baseRe ? [g.baseRe] : []));
  // One regex per flag set: JavaScript cannot mix case-sensitive and case-insensitive alternatives.
  const combined = [false, true].flatMap((nocase) => {
    const group = patterns.filter((re) => re.ignoreCase === nocase);
    return group.length > 0 ? [new RegExp(group.map((re) => `(?:${re.source})`).join('|'), nocase ? 'i' : '')] : [];
  });
  const memo = new Int8Array(baseCount).fill(-1);
  return (baseId, base) => {
    let hit = memo[baseId]!;
    if (hit === -1) memo[baseId] = hit = combined.some((re) => re.test(base)) ? 1 : 0;
    return hit === 1;
  };
}

/** Memoizes a name test (package names, Python top-level names repeat across many files). */
export function memoizeNameTest(globs: readonly CompiledGlob[]): (name: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  return (name) => {
    if (memo.has(name)) return memo.get(name);
    const hit = globs.find((g) => globMatches(g, name))?.glob;
    memo.set(name, hit);
    return hit;
  };
}
