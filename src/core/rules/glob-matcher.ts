import { globMatches, type CompiledGlob } from './compile-glob.js';

/** A glob list bound to one tree, with memo tables. Folders are given relative to the rule's scope. */
export interface GlobMatcher {
  /** Where `match` takes its name ids from: the classifier given to `createGlobMatcher`, or the list's own. */
  readonly classifier: NameClassifier;
  /**
   * For lists of at most 31 globs without `full` ones: bit masks over the list. A file can match
   * only if `folderMask(…) & nameMask` is non-zero, where `nameMask` is `anyName` or'ed with
   * `bitOfId[id]` for every id `classifier` returns for the file's name. Undefined for other lists.
   */
  readonly masks: {
    /** Bits of the globs that accept any name. */
    anyName: number;
    /** Per glob id of the classifier: the bit of that glob in this list, else 0. */
    bitOfId: Int32Array;
  } | undefined;
  /** With `masks`: the bits of the globs whose folder part accepts the folder. */
  folderMask(dirId: number, scopedDir: string): number;
  /** False when no glob of the list can match any file directly in this folder. */
  folderCanMatch(dirId: number, scopedDir: string): boolean;
  /**
   * False when no file of this folder can match unless its name matches some glob's name
   * pattern: true only for `full` globs and for split globs without a name part (`test/**`)
   * whose folder part accepts the folder.
   */
  folderAcceptsAnyName(dirId: number, scopedDir: string): boolean;
  /**
   * The first glob (as written) that matches the file, if any: `ids` are what `classifier` says
   * of its name, `path` is its bundle path, its name starts at `nameStart`, and `scopedDir` is
   * its folder relative to the list's scope.
   */
  match(dirId: number, ids: readonly number[], path: string, nameStart: number, scopedDir: string): string | undefined;
}

// Bit masks are 32-bit integers; -1 marks a memo slot not computed yet, so one bit stays free.
const CHUNK = 31;

type SplitGlob = Extract<CompiledGlob, { shape: 'split' }>;
type FullGlob = Extract<CompiledGlob, { shape: 'full' }>;

interface Chunk {
  globs: SplitGlob[];
  dirMemo: Int32Array;
  /** Bits of globs that accept any file name. */
  anyName: number;
  /** Per classifier glob id: its bit in this chunk, 0 for globs of other chunks and lists. */
  bitOfId: Int32Array;
}

/**
 * Builds a memoizing matcher for one glob list over one tree. Folder parts are evaluated once per
 * folder and stored as bit masks; name parts are classified by `classifier`, which must know
 * every glob of the list (share one across the lists of a tree so each name is classified once),
 * else by a classifier of the list's own. Testing a file then costs a memo read and a few bit
 * operations per 31 globs; `full` globs run their regex on the scoped path.
 */
export function createGlobMatcher(globs: readonly CompiledGlob[], sizes: { dirCount: number }, classifier?: NameClassifier): GlobMatcher {
  const split = globs.filter((g): g is SplitGlob => g.shape === 'split');
  const full = globs.filter((g): g is FullGlob => g.shape === 'full');
  if (classifier && split.some((g) => g.baseRe && classifier.idOf(g) === undefined)) throw new Error('the classifier does not know every glob of the list');
  const names = classifier ?? createNameClassifier(split);
  const chunks: Chunk[] = [];
  for (let i = 0; i < split.length; i += CHUNK) {
    const globs = split.slice(i, i + CHUNK);
    const bitOfId = new Int32Array(names.size);
    globs.forEach((g, j) => {
      const id = g.baseRe ? names.idOf(g) : undefined;
      if (id !== undefined) bitOfId[id]! |= 1 << j;
    });
    chunks.push({
      globs,
      dirMemo: new Int32Array(sizes.dirCount).fill(-1),
      anyName: globs.reduce((bits, g, j) => (g.base ? bits : bits | (1 << j)), 0),
      bitOfId,
    });
  }
  return new ListMatcher(names, chunks, full);
}

/**
 * The matcher of `createGlobMatcher`. A class rather than an object of closures: every list then
 * shares one function per method, so the hot call sites of the rule loop see a single target
 * and V8 need not deoptimize them each time another rule's matcher comes along.
 */
class ListMatcher implements GlobMatcher {
  readonly masks: GlobMatcher['masks'];

  constructor(
    readonly classifier: NameClassifier,
    private readonly chunks: readonly Chunk[],
    private readonly full: readonly FullGlob[],
  ) {
    const only = chunks.length === 1 && full.length === 0 ? chunks[0]! : undefined;
    this.masks = only && { anyName: only.anyName, bitOfId: only.bitOfId };
  }

  folderMask(dirId: number, scopedDir: string): number {
    return dirMask(this.chunks[0]!, dirId, scopedDir);
  }

  // Plain loops, no closures: these run once per folder and rule, thousands of times on a cold JIT.
  folderCanMatch(dirId: number, scopedDir: string): boolean {
    if (this.full.length > 0) return true;
    for (let c = 0; c < this.chunks.length; c++) if (dirMask(this.chunks[c]!, dirId, scopedDir) !== 0) return true;
    return false;
  }

  folderAcceptsAnyName(dirId: number, scopedDir: string): boolean {
    if (this.full.length > 0) return true;
    for (let c = 0; c < this.chunks.length; c++) if ((dirMask(this.chunks[c]!, dirId, scopedDir) & this.chunks[c]!.anyName) !== 0) return true;
    return false;
  }

  match(dirId: number, ids: readonly number[], path: string, nameStart: number, scopedDir: string): string | undefined {
    const { chunks } = this;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      const inFolder = dirMask(chunk, dirId, scopedDir);
      if (inFolder === 0) continue;
      let both = inFolder & chunk.anyName;
      for (let i = 0; i < ids.length; i++) both |= inFolder & chunk.bitOfId[ids[i]!]!;
      if (both !== 0) return chunk.globs[31 - Math.clz32(both & -both)]!.glob;
    }
    if (this.full.length === 0) return undefined;
    const base = path.slice(nameStart);
    const scoped = scopedDir ? `${scopedDir}/${base}` : base;
    return this.full.find((g) => g.test(scoped))?.glob;
  }
}

/** The bits of the chunk's globs whose folder part accepts the folder, memoized per folder id. */
function dirMask(chunk: Chunk, dirId: number, scopedDir: string): number {
  let mask = chunk.dirMemo[dirId]!;
  if (mask === -1) {
    mask = 0;
    for (let i = 0; i < chunk.globs.length; i++) if (chunk.globs[i]!.dir(scopedDir)) mask |= 1 << i;
    chunk.dirMemo[dirId] = mask;
  }
  return mask;
}

/**
 * Which name patterns of many globs accept a file name. Shared by the matchers of all rules of
 * one tree: most names (index.js, Button.js) match no pattern at all, and one look at their last
 * characters then settles every rule at once.
 */
export interface NameClassifier {
  /** Number of globs with a name part it knows; their ids are `0 … size - 1`. */
  size: number;
  /** The id of a glob given to `createNameClassifier`, if it has a name part. */
  idOf(glob: CompiledGlob): number | undefined;
  /**
   * Ids of the globs whose name part accepts the name `path.slice(nameStart)`, in no particular
   * order; the same empty array for most names, which are told apart without being sliced.
   */
  matchingIds(path: string, nameStart: number): readonly number[];
}

const NONE: readonly number[] = [];

/**
 * Builds the classifier over the name parts of `globs`. Patterns are found by walking a trie of
 * their literal endings (`baseSuffixes`) from the name's last character: most names leave it
 * after a few steps, unsliced and unhashed. Reaching the end of a `*`-and-literal pattern's
 * ending settles it (`baseExact`); any other pattern met is confirmed by its regex.
 */
export function createNameClassifier(globs: readonly CompiledGlob[]): NameClassifier {
  const named: SplitGlob[] = [];
  const ids = new Map<CompiledGlob, number>();
  for (const g of globs) {
    if (g.shape !== 'split' || !g.baseRe || ids.has(g)) continue;
    ids.set(g, named.length);
    named.push(g);
  }
  const endings: Ending[] = [];
  const anyEnding: number[] = [];
  named.forEach((g, id) => {
    // The trie folds ASCII letters only, so an ending outside ASCII could not be found in it.
    if (!g.baseSuffixes || g.baseSuffixes.some((suffix) => /[^\x00-\x7f]/.test(suffix))) return void anyEnding.push(id);
    const nocase = g.baseRe!.ignoreCase;
    for (const suffix of g.baseSuffixes) {
      // The walk compares letters in lower case: that settles a case-sensitive ending only when
      // the ending and the name's last characters have no capital letter.
      const exact = !g.baseExact ? NOT_EXACT : nocase ? EXACT : suffix === suffix.toLowerCase() ? EXACT_UNLESS_FOLDED : NOT_EXACT;
      endings.push({ suffix, id, exact });
    }
  });
  return new EndingClassifier(named, ids, endingTrie(endings), anyEnding);
}

/** What reaching the end of an ending says of its pattern. */
type Exactness = typeof NOT_EXACT | typeof EXACT | typeof EXACT_UNLESS_FOLDED;
/** The regex must confirm. */
const NOT_EXACT = 0;
/** The name matches. */
const EXACT = 1;
/** The name matches if the walk folded no capital letter on the way. */
const EXACT_UNLESS_FOLDED = 2;

interface Ending {
  suffix: string;
  id: number;
  exact: Exactness;
}

/** The classifier of `createNameClassifier`; a class so that all classifiers share one `matchingIds`. */
class EndingClassifier implements NameClassifier {
  readonly size: number;
  /** Scratch for the patterns one walk meets, as `id * 2 + 1` when settled, `id * 2` when the regex must tell. */
  private readonly met: number[];
  /**
   * Answers are shared: `[id]` per pattern, and each longer answer is reached from the one
   * without its last id, so equal answers are one array and most files allocate none.
   */
  private readonly single: number[][];
  private readonly longer = new Map<readonly number[], Map<number, number[]>>();

  constructor(
    private readonly named: readonly SplitGlob[],
    private readonly ids: ReadonlyMap<CompiledGlob, number>,
    private readonly trie: EndingTrie,
    private readonly anyEnding: readonly number[],
  ) {
    this.size = named.length;
    this.met = new Array<number>(trie.idsAt.reduce((n, at) => n + (at?.length ?? 0), 0)).fill(0);
    this.single = named.map((_, id) => [id]);
  }

  idOf(glob: CompiledGlob): number | undefined {
    return this.ids.get(glob);
  }

  matchingIds(path: string, nameStart: number): readonly number[] {
    const { met, anyEnding } = this;
    const count = collectEndings(this.trie, path, nameStart, met);
    if (count === 0 && anyEnding.length === 0) return NONE;
    let hits: readonly number[] = NONE;
    let name: string | undefined;
    for (let k = 0; k < count + anyEnding.length; k++) {
      const entry = k < count ? met[k]! : anyEnding[k - count]! * 2;
      const id = entry >> 1;
      // A pattern with several endings can be met twice on one walk.
      if (hits.includes(id)) continue;
      if ((entry & 1) === 0) {
        name ??= path.slice(nameStart);
        if (!this.named[id]!.baseRe!.test(name)) continue;
      }
      hits = hits.length === 0 ? this.single[id]! : this.extended(hits, id);
    }
    return hits;
  }

  private extended(hits: readonly number[], id: number): readonly number[] {
    let byId = this.longer.get(hits);
    if (!byId) this.longer.set(hits, (byId = new Map()));
    let answer = byId.get(id);
    if (!answer) byId.set(id, (answer = [...hits, id]));
    return answer;
  }
}

/**
 * Endings as a trie read from the last character on, with ASCII letters in lower case. Node
 * `n`'s child for a character is `child[n * width + column[character]]`, 0 for none (the root,
 * node 0, is nobody's child): a walk step is a few typed-array reads.
 */
interface EndingTrie {
  /** Column of each ASCII character; 0 for those in no ending. */
  column: Uint8Array;
  width: number;
  child: Int32Array;
  /** Per node: the patterns with an ending that ends there, as `id * 4 + exactness`. */
  idsAt: (number[] | undefined)[];
}

function endingTrie(endings: readonly Ending[]): EndingTrie {
  const column = new Uint8Array(128);
  let width = 1;
  const nodes = new Set<string>();
  for (const { suffix } of endings) {
    const lower = suffix.toLowerCase();
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if (column[c] === 0) column[c] = width++;
      nodes.add(lower.slice(i));
    }
  }
  const child = new Int32Array((nodes.size + 1) * width);
  const idsAt: (number[] | undefined)[] = [undefined];
  for (const { suffix, id, exact } of endings) {
    const lower = suffix.toLowerCase();
    let node = 0;
    for (let i = lower.length - 1; i >= 0; i--) {
      const slot = node * width + column[lower.charCodeAt(i)]!;
      if (child[slot] === 0) {
        child[slot] = idsAt.length;
        idsAt.push(undefined);
      }
      node = child[slot]!;
    }
    (idsAt[node] ??= []).push(id * 4 + exact);
  }
  return { column, width, child, idsAt };
}

/**
 * Writes to `into`, from index 0, the patterns of every ending of the name `path.slice(nameStart)`
 * and returns how many (a scratch array, so most names allocate nothing): `id * 2 + 1` when
 * reaching the ending settles the pattern, `id * 2` when its regex must. Letters are folded the
 * way a regex `i` flag folds them onto ASCII: only ASCII letters, and endings are ASCII.
 */
function collectEndings(trie: EndingTrie, path: string, nameStart: number, into: number[]): number {
  const { column, width, child, idsAt } = trie;
  let count = 0;
  let node = 0;
  let folded = false;
  for (let i = path.length - 1; i >= nameStart; i--) {
    let c = path.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      c += 32;
      folded = true;
    } else if (c >= 128) break;
    const col = column[c]!;
    if (col === 0) break;
    node = child[node * width + col]!;
    if (node === 0) break;
    const ids = idsAt[node];
    if (ids === undefined) continue;
    for (let k = 0; k < ids.length; k++) {
      const exact = ids[k]! & 3;
      const settled = exact === EXACT || (exact === EXACT_UNLESS_FOLDED && !folded);
      into[count++] = (ids[k]! >> 2) * 2 + (settled ? 1 : 0);
    }
  }
  return count;
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
