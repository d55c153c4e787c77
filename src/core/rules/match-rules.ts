import type { Architecture } from '../config/config-schema.js';
import type { FileEntry } from '../scan/bundle-index.js';
import type { Candidate, CandidateFile } from './candidate.js';
import { compileGlob } from './compile-glob.js';
import { compileRule, compileRules, type CompiledRule } from './compile-rules.js';
import { findRedundantCopies, type RedundantCopy } from './find-redundant-copies.js';
import { createGlobMatcher, createNamePrefilter, type GlobMatcher, type NamePrefilter } from './glob-matcher.js';
import { indexTreePaths, type IndexedPath, type TreePathIndex } from './index-tree-paths.js';
import { nativeVerdict } from './native-platform.js';
import { countFilesPerFolder, zipBytesSaved } from './zip-savings.js';
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
  compiled: CompiledRule;
  globs: GlobMatcher | undefined;
  excludeGlobs: GlobMatcher | undefined;
  files: CandidateFile[];
  /** The claimed entries, for the zip arithmetic. */
  entries: IndexedPath[];
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
  const keep = options.keep && options.keep.length > 0 ? createGlobMatcher(options.keep.map((g) => compileGlob(g)), index) : undefined;
  const prefilter = createNamePrefilter(rules.flatMap((r) => r.globs ?? []), index.baseCount);
  const active = rules.map((compiled) => activate(compiled, index, prefilter));
  const plain = folderPlanner(active.filter((r) => !r.compiled.contextual), index.dirCount);
  const contextual = folderPlanner(active.filter((r) => r.compiled.contextual), index.dirCount);
  const unclaimed: IndexedPath[] = [];
  const kept = new Map<string, FileEntry>();
  for (const entry of index.entries) {
    if (keep?.match(entry, entry.dir) !== undefined) kept.set(entry.file.path, entry.file);
    else if (!claimFirst(plain(entry), entry, arch, undefined)) unclaimed.push(entry);
  }
  if (active.some((r) => r.compiled.contextual)) {
    const redundant = findRedundantCopies([...kept.values(), ...unclaimed.map((e) => e.file)], (path) => kept.has(path));
    if (redundant.size > 0) for (const entry of unclaimed) if (redundant.has(entry.file)) claimFirst(contextual(entry), entry, arch, redundant);
  }
  const claimed = active.filter((rule) => rule.files.length > 0);
  const folderCounts = claimed.length > 0 ? countFilesPerFolder(index.dirs, index.filesPerDir) : new Map<string, number>();
  return claimed.map((rule) => toCandidate(rule, zipBytesSaved(rule.entries, index.dirs, folderCounts)));
}

function activate(compiled: CompiledRule, index: TreePathIndex, prefilter: NamePrefilter): ActiveRule {
  return {
    compiled,
    globs: compiled.globs && createGlobMatcher(compiled.globs, index, prefilter),
    excludeGlobs: compiled.excludeGlobs && createGlobMatcher(compiled.excludeGlobs, index),
    files: [],
    entries: [],
  };
}

/** The rules that can match files of one folder, with their folder masks (0 when not precomputed). */
interface FolderPlan {
  rules: ActiveRule[];
  /** Per rule: the folder part of its glob masks (meaningful where `nameMemos[i]` is set). */
  masks: Int32Array;
  /** Per rule: its name-mask memo table when its globs allow the two-mask fast path, else null. */
  nameMemos: (Int32Array | null)[];
}

/**
 * Returns, per folder, the rules that can match a file in it, decided once per folder from what
 * the folder alone settles (scope, npm package, folder part of the globs). Most files then meet
 * only a handful of rules, each rejected by two memoized bit masks in the common case.
 */
function folderPlanner(rules: readonly ActiveRule[], dirCount: number): (entry: IndexedPath) => FolderPlan {
  const byFolder: (FolderPlan | undefined)[] = new Array(dirCount);
  return (entry) => {
    let plan = byFolder[entry.dirId];
    if (!plan) {
      const allowed = rules.filter((rule) => folderAllows(rule, entry));
      const masks = new Int32Array(allowed.length);
      allowed.forEach((rule, i) => {
        masks[i] = rule.globs?.masks?.folderMask(entry.dirId, scopedFolder(rule.compiled, entry)!) ?? 0;
      });
      byFolder[entry.dirId] = plan = { rules: allowed, masks, nameMemos: allowed.map((rule) => rule.globs?.masks?.nameMemo ?? null) };
    }
    return plan;
  };
}

function folderAllows(active: ActiveRule, entry: IndexedPath): boolean {
  const rule = active.compiled;
  const scopedDir = scopedFolder(rule, entry);
  if (scopedDir === undefined) return false;
  if (rule.packages && entry.npm && rule.packages(entry.npm.name) === undefined) return false;
  if (rule.pythonTopLevel && !entry.python) return false;
  if (rule.pythonTopLevel && entry.python!.innerDir && rule.pythonTopLevel(entry.python!.topLevel) === undefined) return false;
  return !active.globs || active.globs.folderCanMatch(entry.dirId, scopedDir);
}

function scopedFolder(rule: CompiledRule, entry: IndexedPath): string | undefined {
  return rule.scope === 'bundle' ? entry.dir : rule.scope === 'npm-package' ? entry.npm?.innerDir : entry.python?.innerDir;
}

function claimFirst(plan: FolderPlan, entry: IndexedPath, arch: Architecture, redundant: Map<FileEntry, RedundantCopy> | undefined): boolean {
  const { rules, masks, nameMemos } = plan;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    // Hot loop (every file × every rule of its folder): reject on two memoized masks before
    // the full test, which only runs on a likely hit.
    const memo = nameMemos[i];
    if (memo) {
      let name = memo[entry.baseId]!;
      if (name === -1) name = rule.globs!.masks!.nameMask(entry.baseId, entry.base);
      if ((masks[i]! & name) === 0) continue;
    }
    const reasons = matchFile(rule, entry, arch, redundant);
    if (!reasons) continue;
    const { path, bytes, compressedBytes } = entry.file;
    const claimed: CandidateFile = { path, bytes, reason: reasons.join('; ') };
    if (compressedBytes !== undefined) claimed.compressedBytes = compressedBytes;
    rule.files.push(claimed);
    rule.entries.push(entry);
    return true;
  }
  return false;
}

/** Every criterion of the rule must hold; returns why it does, or undefined. */
function matchFile(active: ActiveRule, entry: IndexedPath, arch: Architecture, redundant: Map<FileEntry, RedundantCopy> | undefined): string[] | undefined {
  const rule = active.compiled;
  const { npm, python } = entry;
  // Cheapest tests first: most files fail on size, kind or binary facts before any glob runs.
  if (entry.bytes < rule.minBytes) return undefined;
  if (rule.kinds && !rule.kinds.has(entry.kind)) return undefined;
  if (rule.native && !entry.native) return undefined;
  const scopedDir = scopedFolder(rule, entry);
  if (scopedDir === undefined) return undefined;
  const glob = active.globs?.match(entry, scopedDir);
  if (active.globs && glob === undefined) return undefined;
  if (active.excludeGlobs && active.excludeGlobs.match(entry, scopedDir) !== undefined) return undefined;
  const reasons: string[] = [];
  if (glob !== undefined) {
    const where = rule.scope === 'npm-package' ? ` inside package ${npm!.name}` : rule.scope === 'python-root' ? ` in ${python!.root || 'the function root'}` : '';
    reasons.push(`matches "${glob}"${where}`);
  }
  if (rule.kinds && !rule.globs) reasons.push(`kind ${entry.kind}`);
  if (rule.packages) {
    // Inside node_modules the path names the package; elsewhere (Python) the scanner's distribution.
    const name = npm?.name ?? entry.package;
    if (name === undefined || rule.packages(name) === undefined) return undefined;
    reasons.push(`package ${name}`);
  }
  if (rule.pythonTopLevel) {
    if (!python || rule.pythonTopLevel(python.topLevel) === undefined) return undefined;
    reasons.push(`top-level Python package "${python.topLevel}" in ${python.root || 'the function root'}`);
  }
  if (rule.native) {
    const verdict = nativeVerdict(entry.native!, arch);
    if (rule.native === 'foreign-platform' && verdict.platform !== 'foreign') return undefined;
    if (rule.native === 'target-platform' && verdict.platform !== 'target') return undefined;
    reasons.push(verdict.reason);
  }
  if (rule.contextual) {
    const copy = redundant?.get(entry.file);
    if (!copy) return undefined;
    reasons.push(`identical to ${copy.keeper} (sha256 ${copy.hash.slice(0, 12)}…), which stays`);
  }
  return reasons;
}

function toCandidate({ compiled, files }: ActiveRule, zippedBytes: number): Candidate {
  const { rule } = compiled;
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const candidate: Candidate = {
    ruleId: rule.id,
    ruleSet: compiled.ruleSet,
    risk: rule.risk,
    description: rule.description,
    explanation: rule.explanation,
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    zippedBytes,
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
