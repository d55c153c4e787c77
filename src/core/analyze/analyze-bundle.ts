import type { BundleOptions } from '../config/bundle-options.js';
import { dirname, resolve } from 'node:path';
import type { ArchiveLimits } from '../archive/archive-limits.js';
import { limitSettings } from '../limits/limit-settings.js';
import type { Architecture, Target } from '../config/config-schema.js';
import { ConfigError } from '../errors.js';
import { measureLimits, type LimitCheck } from '../limits/measure-limits.js';
import { fitsTarget } from '../limits/fits-target.js';
import type { Candidate } from '../rules/candidate.js';
import { loadRuleSets } from '../rules/load-rule-sets.js';
import { matchRules } from '../rules/match-rules.js';
import { compileRules } from '../rules/compile-rules.js';
import type { BundleIndex, DuplicateGroup } from '../scan/bundle-index.js';
import { scanBundle } from '../scan/scan-bundle.js';
import { predictZipBytes } from '../scan/predict-zip-bytes.js';
import { summarizeTree, type BinarySummary, type KindSummary, type PackageSummary } from './summarize-tree.js';
import { isPythonTree } from './is-python-tree.js';
import { inspectModels } from './inspect-models.js';
import { defaultCacheDir } from '../scan/default-cache-dir.js';

/** Options for {@link analyzeBundle}. */
export interface AnalyzeBundleOptions extends BundleOptions {
  /** Rule sets to match; @default config.rules.use, else the built-in defaults for this bundle. */
  ruleSets?: string[];
  /** Decompression-bomb caps for archive inputs (export lifts the ratio cap for the zip it wrote itself). */
  archiveLimits?: Partial<ArchiveLimits>;
}

/** A scanned bundle measured against the limits, with pruning candidates. Plain data. */
export interface BundleAnalysis {
  index: BundleIndex;
  target: Target;
  arch: Architecture;
  limits: LimitCheck[];
  fits: boolean;
  candidates: Candidate[];
  /** Rule sets that produced `candidates`, in precedence order. */
  ruleSets: string[];
  packages: PackageSummary[];
  kinds: KindSummary[];
  binaries: BinarySummary[];
  duplicates: DuplicateGroup[];
  warnings: string[];
}

/** Built-in rule sets matched when the configuration names none. */
export function defaultRuleSets(index: BundleIndex, purpose: 'scan' | 'check'): string[] {
  const sets = ['node-safe', 'native-foreign'];
  if (isPythonTree(index.code.files.map((f) => f.path))) sets.push('python-seed');
  // Deleting duplicates is a caution-level move: shown by scan, applied only when configured.
  if (purpose === 'scan') sets.push('dedupe');
  return sets;
}

/**
 * Scans a bundle and its layers, measures them against every Lambda limit for the target and
 * finds what each rule set would remove. Reads files; writes only the scan cache.
 */
export async function analyzeBundle(options: AnalyzeBundleOptions, purpose: 'scan' | 'check' = 'scan'): Promise<BundleAnalysis> {
  const { config } = options;
  const layers = options.layers ?? (config.layers ?? []).map((l) => resolve(options.configDir, l));
  const index = await scanBundle({
    path: options.path,
    layers,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.archiveLimits ? { limits: options.archiveLimits } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const modelWarnings: string[] = [];
  await inspectModels(index.code, modelWarnings, options.cacheDir ?? defaultCacheDir());
  const target = options.target ?? config.target ?? 'zip-s3';
  const arch = options.arch ?? config.architecture ?? 'x86_64';
  const ruleSetRefs = options.ruleSets ?? config.rules?.use ?? defaultRuleSets(index, purpose);
  const loaded = await loadRuleSets(ruleSetRefs, { baseDir: options.configDir });
  if (loaded.errors.length > 0) {
    throw new ConfigError(`Rule set problem: ${loaded.errors[0]}`, loaded.errors, 'E_RULES');
  }
  const candidates = matchRules(index.code.files, loaded.ruleSets, {
    arch,
    keep: config.rules?.keep ?? [],
    drop: config.rules?.drop ?? [],
    disable: config.rules?.disable ?? [],
  });
  exactZipSavings(index, candidates);
  const disable = config.rules?.disable ?? [];
  const typos = disable.length > 0 ? compileRules(loaded.ruleSets, { arch, disable }).unknownDisable : [];
  const ruleWarnings = typos.map((d) => `rules.disable: "${d}" names no rule or rule set of ${loaded.ruleSets.map((r) => r.id).join(', ')}; check the spelling.`);
  const limits = measureLimits({
    code: index.code,
    layers: index.layers,
    target,
    ...limitSettings(config),
  });
  const summary = summarizeTree(index.code.files);
  return {
    index,
    target,
    arch,
    limits,
    fits: fitsTarget(limits, target),
    candidates,
    ruleSets: loaded.ruleSets.map((r) => r.id),
    ...summary,
    duplicates: index.duplicates,
    warnings: [...index.warnings, ...modelWarnings, ...loaded.warnings, ...ruleWarnings],
  };
}

/**
 * Replaces each candidate's zipped saving with the exact difference in zip size (data plus the
 * entry's local and central headers), computed with the same layout the zip writer uses.
 */
function exactZipSavings(index: BundleIndex, candidates: Candidate[]): void {
  const files = index.code.files;
  const full = index.code.zippedBytes;
  for (const candidate of candidates) {
    const removed = new Set(candidate.files.map((f) => f.path));
    candidate.zippedBytes = full - predictZipBytes(files.filter((f) => !removed.has(f.path)), index.code.emptyDirectories ?? []);
  }
}

/** The folder a bundle path's configuration lives in (the folder itself, or an archive's folder). */
export function configDirFor(bundlePath: string): string {
  return /\.(zip|tar\.gz|tgz)$/i.test(bundlePath) ? dirname(resolve(bundlePath)) : resolve(bundlePath);
}
