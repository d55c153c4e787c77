import type { Architecture } from '../config/config-schema.js';
import type { FileEntry } from '../scan/bundle-index.js';
import type { Candidate, CandidateFile } from './candidate.js';
import { compileGlob } from './compile-glob.js';
import { compileRule, compileRules, type CompiledRule } from './compile-rules.js';
import { findRedundantCopies, type RedundantCopy } from './find-redundant-copies.js';
import { createGlobMatcher, createNameClassifier, type GlobMatcher, type NameClassifier } from './glob-matcher.js';
import { indexTreePaths, type TreePathIndex } from './index-tree-paths.js';
import { nativeVerdict } from './native-platform.js';
import { pythonTopLevel } from './python-roots.js';
import { countFilesBelow, zipBytesSaved, type FolderTree } from './zip-savings.js';
import type { Rule, RuleSet } from './schema.js';

/** Options of `matchRules`. */
export interface MatchRulesOptions {
  /** Target architecture: decides which binaries are foreign. @default 'x86_64' */
  arch?: Architecture;
  /** Globs (bundle paths) that are never removed, whatever rule or drop glob matches them. */
  keep?: readonly string[];
  /** Globs (bundle paths) to remove regardless of rules; they form the synthetic `user-drop` rule. */
  drop?: readonly string[];
  /** Rules to switch off: `ruleId`, `ruleSetId/ruleId` or a whole `ruleSetId`. */
  disable?: readonly string[];
}

/** Id of the rule built from `drop` globs. */
export const USER_DROP_RULE_ID = 'user-drop';

/** A compiled rule with its memo tables for one tree. */
interface ActiveRule {
  /** Its index in precedence order: what `MatchContext.ruleOf` records. */
  id: number;
  compiled: CompiledRule;
  globs: GlobMatcher | undefined;
  excludeGlobs: GlobMatcher | undefined;
  /** `globs.masks.anyName` and `globs.masks.bitOfId`, when the globs allow the mask fast path. */
  anyName: number;
  bitOfId: Int32Array | undefined;
  /**
   * The last glob reason built, with the folder and glob it was built for: it depends on nothing
   * else, and the files of one folder are adjacent, so most claimed files reuse it.
   */
  reasonDirId: number;
  reasonGlob: string | undefined;
  reason: string;
}

/** What every file test needs besides the file and the rule. */
interface MatchContext {
  index: TreePathIndex;
  arch: Architecture;
  /** The copies the `duplicate` predicate removes; undefined before that phase. */
  redundant: Map<FileEntry, RedundantCopy> | undefined;
  /**
   * Per file: the `id` of the rule that claimed it (-1 while none did), and why it matched. Claims
   * are recorded here, by file index, and grouped into candidates only at the end: the rule loop
   * then never grows one list per rule.
   */
  ruleOf: Int32Array;
  reasonOf: string[];
}

/**
 * Finds what each rule would remove from one tree. Pure.
 *
 * Precedence: `keep` globs veto everything; then the `user-drop` rule; then the rule sets in the
 * order given and each set's rules in file order. A file goes to the first rule that matches it,
 * so no byte is counted twice. Rules with the `duplicate` predicate run last, over the files no
 * other rule claimed, so the copy they keep is never one that another candidate removes: any
 * subset of the returned candidates can be applied without losing the last copy of a file.
 * Returns one candidate per rule that matched at least one file, in precedence order.
 */
export function matchRules(tree: readonly FileEntry[], ruleSets: readonly RuleSet[], options: MatchRulesOptions = {}): Candidate[] {
  const arch = options.arch ?? 'x86_64';
  const { rules } = compileRules(ruleSets, { arch, disable: options.disable ?? [] });
  if (options.drop && options.drop.length > 0) rules.unshift(compileRule('user', userDropRule(options.drop), arch));

  const index = indexTreePaths(tree);
  const { dirIds, nameStarts } = index;
  const keep = options.keep && options.keep.length > 0 ? createGlobMatcher(options.keep.map((g) => compileGlob(g)), index) : undefined;
  const classifier = createNameClassifier(rules.flatMap((r) => r.globs ?? []));
  const active = rules.map((compiled, id) => activate(id, compiled, index, classifier));
  const contextual = active.filter((r) => r.compiled.contextual);
  const plans = folderPlans(active.filter((r) => !r.compiled.contextual), index, classifier);
  const context: MatchContext = { index, arch, redundant: undefined, ruleOf: new Int32Array(tree.length).fill(-1), reasonOf: new Array<string>(tree.length) };
  const kept = new Map<string, FileEntry>();
  const unclaimed = claimFiles(tree, plans, classifier, keep, kept, context, contextual.length > 0);
  if (contextual.length > 0) {
    const redundant = findRedundantCopies([...kept.values(), ...unclaimed.map((i) => tree[i]!)], (path) => kept.has(path));
    const last = folderPlans(contextual, index, classifier);
    context.redundant = redundant;
    for (const i of redundant.size > 0 ? unclaimed : []) {
      const file = tree[i]!;
      if (!redundant.has(file)) continue;
      const dirId = dirIds[i]!;
      claimFirst(last, file, i, dirId, nameStarts[i]!, classifier.matchingIds(file.path, nameStarts[i]!), context);
    }
  }
  return candidatesOf(active, tree, context);
}

/**
 * The per-file loop, alone in a small function so that V8 optimizes it early: puts the files `keep`
 * matches in `kept`, gives the others to the first rule of `plans` that matches them, and returns
 * the indexes of those no rule took (when `listUnclaimed`, else none).
 */
function claimFiles(
  tree: readonly FileEntry[],
  plans: FolderPlans,
  classifier: NameClassifier,
  keep: GlobMatcher | undefined,
  kept: Map<string, FileEntry>,
  context: MatchContext,
  listUnclaimed: boolean,
): number[] {
  const { dirIds, nameStarts, dirs } = context.index;
  const unclaimed: number[] = [];
  for (let i = 0; i < tree.length; i++) {
    const file = tree[i]!;
    const { path } = file;
    const dirId = dirIds[i]!;
    const nameStart = nameStarts[i]!;
    if (keep !== undefined && keep.match(dirId, keep.classifier.matchingIds(path, nameStart), path, nameStart, dirs[dirId]!) !== undefined) {
      kept.set(path, file);
      continue;
    }
    const ids = classifier.matchingIds(path, nameStart);
    if (!claimFirst(plans, file, i, dirId, nameStart, ids, context) && listUnclaimed) unclaimed.push(i);
  }
  return unclaimed;
}

function activate(id: number, compiled: CompiledRule, index: TreePathIndex, classifier: NameClassifier): ActiveRule {
  const globs = compiled.globs && createGlobMatcher(compiled.globs, index, classifier);
  return {
    id,
    compiled,
    globs,
    excludeGlobs: compiled.excludeGlobs && createGlobMatcher(compiled.excludeGlobs, index),
    anyName: globs?.masks?.anyName ?? 0,
    bitOfId: globs?.masks?.bitOfId,
    reasonDirId: -1,
    reasonGlob: undefined,
    reason: '',
  };
}

/**
 * Which rules can match the files of each folder, decided lazily, once per rule and folder, from
 * what the folder alone settles (scope, npm package, folder part of the globs). A file whose name
 * matches no name pattern (most files) meets only its folder's short list of rules that accept
 * any name; another meets those plus the rules owning the patterns its name matches. State lives
 * in typed arrays and shared lists: a tree has thousands of folders, and small arrays per folder
 * would be mostly garbage.
 */
interface FolderPlans {
  rules: readonly ActiveRule[];
  index: TreePathIndex;
  /**
   * Per rule, per folder id: the folder part of the rule's glob masks there (`ANY_FOLDER_BITS`
   * for a rule without masks that the folder allows), 0 when the folder rules it out, -1 until
   * decided.
   */
  folderMasks: Int32Array[];
  /** Indexes in `rules` of those that can match a name matching no pattern somewhere, in order. */
  mayBeUnnamed: number[];
  /** Per folder id: its range in `unnamedAt` (-1 until listed), the rules that can match such a name there. */
  unnamedStart: Int32Array;
  unnamedEnd: Int32Array;
  unnamedAt: number[];
  /** Per classifier glob id: the index in `rules` of the rule owning it, -1 for other lists' globs. */
  ownerOf: Int32Array;
  /** The rules one file meets, in precedence order (reused for every file; never more than all rules). */
  candidates: Int32Array;
}

// Stands for "allowed" in `folderMasks` for rules without masks: any non-zero value would do,
// and a small integer is never boxed, even by cold code.
const ANY_FOLDER_BITS = 0x3fffffff;

function folderPlans(rules: readonly ActiveRule[], index: TreePathIndex, classifier: NameClassifier): FolderPlans {
  const ownerOf = new Int32Array(classifier.size).fill(-1);
  rules.forEach((rule, r) => {
    for (const glob of rule.compiled.globs ?? []) {
      const id = classifier.idOf(glob);
      if (id !== undefined) ownerOf[id] = r;
    }
  });
  return {
    rules,
    index,
    folderMasks: rules.map(() => new Int32Array(index.dirCount).fill(-1)),
    mayBeUnnamed: rules.flatMap((rule, r) => (!rule.bitOfId || rule.anyName !== 0 ? [r] : [])),
    unnamedStart: new Int32Array(index.dirCount).fill(-1),
    unnamedEnd: new Int32Array(index.dirCount),
    unnamedAt: [],
    ownerOf,
    candidates: new Int32Array(rules.length),
  };
}

/** The folder part of rule `r`'s masks in the folder (see `FolderPlans.folderMasks`), memoized. */
function folderMask(plans: FolderPlans, r: number, dirId: number): number {
  const memo = plans.folderMasks[r]!;
  let mask = memo[dirId]!;
  if (mask !== -1) return mask;
  const rule = plans.rules[r]!;
  const scopedDir = scopedFolder(rule.compiled, dirId, plans.index);
  const { globs } = rule;
  if (scopedDir === undefined || !folderAllows(rule.compiled, dirId, plans.index)) mask = 0;
  else if (globs?.masks) mask = globs.folderMask(dirId, scopedDir);
  else mask = !globs || globs.folderCanMatch(dirId, scopedDir) ? ANY_FOLDER_BITS : 0;
  memo[dirId] = mask;
  return mask;
}

/** Lists, once per folder, the rules that can match a file there whose name matches no pattern. */
function listUnnamed(plans: FolderPlans, dirId: number): void {
  plans.unnamedStart[dirId] = plans.unnamedAt.length;
  for (const r of plans.mayBeUnnamed) {
    const mask = folderMask(plans, r, dirId);
    if (mask === 0) continue;
    const rule = plans.rules[r]!;
    const { globs } = rule;
    const unnamed = !globs || (globs.masks ? (mask & rule.anyName) !== 0 : globs.folderAcceptsAnyName(dirId, scopedFolder(rule.compiled, dirId, plans.index)!));
    if (unnamed) plans.unnamedAt.push(r);
  }
  plans.unnamedEnd[dirId] = plans.unnamedAt.length;
}

/** What the folder's package and Python root settle, before any glob. */
function folderAllows(rule: CompiledRule, dirId: number, index: TreePathIndex): boolean {
  const npm = index.npm[dirId];
  const python = index.python[dirId];
  if (rule.packages && npm && rule.packages(npm.name) === undefined) return false;
  if (rule.pythonTopLevel && !python) return false;
  // Below the root, the top-level name is the folder's first segment, whatever the file.
  if (rule.pythonTopLevel && python!.innerDir && rule.pythonTopLevel(pythonTopLevel(python!, '')) === undefined) return false;
  return true;
}

function scopedFolder(rule: CompiledRule, dirId: number, index: TreePathIndex): string | undefined {
  return rule.scope === 'bundle' ? index.dirs[dirId] : rule.scope === 'npm-package' ? index.npm[dirId]?.innerDir : index.python[dirId]?.innerDir;
}

/**
 * Gives the file to the first rule that matches it, among those its folder and name allow. `ids`
 * are what the shared classifier says of its name: none for most files, which then meet only the
 * folder's unnamed rules.
 */
function claimFirst(plans: FolderPlans, file: FileEntry, i: number, dirId: number, nameStart: number, ids: readonly number[], context: MatchContext): boolean {
  if (plans.unnamedStart[dirId] === -1) listUnnamed(plans, dirId);
  // Two small functions rather than one: each is optimized sooner on a large tree's first pass.
  return ids.length === 0 ? claimUnnamed(plans, file, i, dirId, nameStart, context) : claimNamed(plans, file, i, dirId, nameStart, ids, context);
}

function claimUnnamed(plans: FolderPlans, file: FileEntry, i: number, dirId: number, nameStart: number, context: MatchContext): boolean {
  const { rules, unnamedAt } = plans;
  for (let k = plans.unnamedStart[dirId]!, end = plans.unnamedEnd[dirId]!; k < end; k++) {
    if (claimIfMatch(rules[unnamedAt[k]!]!, file, i, dirId, nameStart, NO_IDS, context)) return true;
  }
  return false;
}

const NO_IDS: readonly number[] = [];

function claimNamed(plans: FolderPlans, file: FileEntry, i: number, dirId: number, nameStart: number, ids: readonly number[], context: MatchContext): boolean {
  // The folder's unnamed rules plus the owners of the patterns the name matches, in precedence order.
  const { rules, unnamedAt, candidates, ownerOf } = plans;
  let count = 0;
  for (let k = plans.unnamedStart[dirId]!, end = plans.unnamedEnd[dirId]!; k < end; k++) candidates[count++] = unnamedAt[k]!;
  for (let j = 0; j < ids.length; j++) {
    const r = ownerOf[ids[j]!]!;
    if (r === -1) continue;
    let at = count;
    while (at > 0 && candidates[at - 1]! > r) at--;
    if (at > 0 && candidates[at - 1] === r) continue;
    for (let k = count; k > at; k--) candidates[k] = candidates[k - 1]!;
    candidates[at] = r;
    count++;
  }
  for (let k = 0; k < count; k++) {
    const r = candidates[k]!;
    const rule = rules[r]!;
    // Reject on the folder and name masks before the full test, which only runs on a likely hit.
    const mask = folderMask(plans, r, dirId);
    if (mask === 0) continue;
    const { bitOfId } = rule;
    if (bitOfId) {
      let name = rule.anyName;
      for (let j = 0; j < ids.length; j++) name |= bitOfId[ids[j]!]!;
      if ((mask & name) === 0) continue;
    }
    if (claimIfMatch(rule, file, i, dirId, nameStart, ids, context)) return true;
  }
  return false;
}

function claimIfMatch(rule: ActiveRule, file: FileEntry, i: number, dirId: number, nameStart: number, ids: readonly number[], context: MatchContext): boolean {
  const reason = matchFile(rule, file, dirId, nameStart, ids, context);
  if (reason === undefined) return false;
  context.ruleOf[i] = rule.id;
  context.reasonOf[i] = reason;
  return true;
}

/** Every criterion of the rule must hold; returns why it does (criteria joined by `; `), or undefined. */
function matchFile(active: ActiveRule, file: FileEntry, dirId: number, nameStart: number, ids: readonly number[], context: MatchContext): string | undefined {
  const rule = active.compiled;
  const { index } = context;
  // Cheapest tests first: most files fail on binary facts, size or kind before any glob runs.
  if (rule.native && !file.native) return undefined;
  if (file.bytes < rule.minBytes) return undefined;
  if (rule.kinds && !rule.kinds.has(file.kind)) return undefined;
  const scopedDir = scopedFolder(rule, dirId, index);
  if (scopedDir === undefined) return undefined;
  const { path } = file;
  const { globs, excludeGlobs } = active;
  const glob = globs?.match(dirId, ids, path, nameStart, scopedDir);
  if (globs && glob === undefined) return undefined;
  if (excludeGlobs && excludeGlobs.match(dirId, excludeGlobs.classifier.matchingIds(path, nameStart), path, nameStart, scopedDir) !== undefined) return undefined;
  const npm = index.npm[dirId];
  const python = index.python[dirId];
  let reason: string | undefined;
  if (glob !== undefined) {
    if (active.reasonDirId !== dirId || active.reasonGlob !== glob) {
      const where = rule.scope === 'npm-package' ? ` inside package ${npm!.name}` : rule.scope === 'python-root' ? ` in ${python!.root || 'the function root'}` : '';
      active.reasonDirId = dirId;
      active.reasonGlob = glob;
      active.reason = `matches "${glob}"${where}`;
    }
    reason = active.reason;
  }
  if (rule.kinds && !rule.globs) reason = and(reason, `kind ${file.kind}`);
  if (rule.packages) {
    // Inside node_modules the path names the package; elsewhere (Python) the scanner's distribution.
    const name = npm?.name ?? file.package;
    if (name === undefined || rule.packages(name) === undefined) return undefined;
    reason = and(reason, `package ${name}`);
  }
  if (rule.pythonTopLevel) {
    if (!python) return undefined;
    const topLevel = pythonTopLevel(python, path.slice(nameStart));
    if (rule.pythonTopLevel(topLevel) === undefined) return undefined;
    reason = and(reason, `top-level Python package "${topLevel}" in ${python.root || 'the function root'}`);
  }
  if (rule.native) {
    const verdict = nativeVerdict(file.native!, context.arch);
    if (rule.native === 'foreign-platform' && verdict.platform !== 'foreign') return undefined;
    if (rule.native === 'target-platform' && verdict.platform !== 'target') return undefined;
    reason = and(reason, verdict.reason);
  }
  if (rule.contextual) {
    const copy = context.redundant?.get(file);
    if (!copy) return undefined;
    reason = and(reason, `identical to ${copy.keeper} (sha256 ${copy.hash.slice(0, 12)}…), which stays`);
  }
  return reason ?? '';
}

function and(reason: string | undefined, more: string): string {
  return reason === undefined ? more : `${reason}; ${more}`;
}

/** One candidate per rule that claimed files, in precedence order, from the claims recorded in `context`. */
function candidatesOf(active: readonly ActiveRule[], tree: readonly FileEntry[], context: MatchContext): Candidate[] {
  const { ruleOf, index } = context;
  // Files grouped by rule, in tree order within each rule: a counting sort of the claims.
  const start = new Int32Array(active.length + 1);
  for (let i = 0; i < ruleOf.length; i++) if (ruleOf[i]! >= 0) start[ruleOf[i]! + 1]!++;
  for (let r = 0; r < active.length; r++) start[r + 1]! += start[r]!;
  const byRule = new Int32Array(start[active.length]!);
  const next = start.slice(0, active.length);
  for (let i = 0; i < ruleOf.length; i++) if (ruleOf[i]! >= 0) byRule[next[ruleOf[i]!]!++] = i;
  if (byRule.length === 0) return [];
  const folders = { dirs: index.dirs, parentDirIds: index.parentDirIds, filesBelow: countFilesBelow(index.parentDirIds, index.filesPerDir) };
  const candidates: Candidate[] = [];
  for (const rule of active) {
    const claimed = byRule.subarray(start[rule.id]!, start[rule.id + 1]!);
    if (claimed.length > 0) candidates.push(toCandidate(rule.compiled, claimed, tree, context, folders));
  }
  return candidates;
}

function toCandidate(compiled: CompiledRule, claimed: Int32Array, tree: readonly FileEntry[], context: MatchContext, folders: FolderTree): Candidate {
  const { rule } = compiled;
  const files: CandidateFile[] = [];
  const entries: FileEntry[] = [];
  const dirIds = new Int32Array(claimed.length);
  let bytes = 0;
  // Files come in tree order, which is path order for a scanner's listing: checking that in the
  // same loop costs less than the comparator calls of a sort, even on a sorted array.
  let sorted = true;
  for (let k = 0; k < claimed.length; k++) {
    const i = claimed[k]!;
    const file = tree[i]!;
    const { path, compressedBytes } = file;
    const claimedFile: CandidateFile = { path, bytes: file.bytes, reason: context.reasonOf[i]! };
    if (compressedBytes !== undefined) claimedFile.compressedBytes = compressedBytes;
    if (k > 0 && files[k - 1]!.path > path) sorted = false;
    files.push(claimedFile);
    entries.push(file);
    dirIds[k] = context.index.dirIds[i]!;
    bytes += file.bytes;
  }
  if (!sorted) files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const candidate: Candidate = {
    ruleId: rule.id,
    ruleSet: compiled.ruleSet,
    risk: rule.risk,
    description: rule.description,
    explanation: rule.explanation,
    files,
    bytes,
    zippedBytes: zipBytesSaved(entries, dirIds, folders),
  };
  if (rule.references) candidate.references = rule.references;
  return candidate;
}

function userDropRule(drop: readonly string[]): Rule {
  return {
    id: USER_DROP_RULE_ID,
    description: 'Files that lambdafit.json rules.drop asks to remove',
    risk: 'safe',
    match: { globs: [...drop] },
    explanation: 'Listed in rules.drop of lambdafit.json: removed because you asked, without lambdafit judging the risk. rules.keep still wins over it.',
  };
}
