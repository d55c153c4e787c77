import type { BundleAnalysis } from '../analyze/analyze-bundle.js';
import { limitSettings } from '../limits/limit-settings.js';
import { fitsTarget } from '../limits/fits-target.js';
import { measureLimits, type LimitCheck } from '../limits/measure-limits.js';
import type { LambdafitConfig } from '../config/config-schema.js';
import { applyCandidates } from '../rules/apply-candidates.js';
import type { Candidate, RemovedFile } from '../rules/candidate.js';
import type { Risk } from '../rules/schema.js';
import { predictZipBytes } from '../scan/predict-zip-bytes.js';

/** `fits` or `does-not-fit`: the answer `lambdafit check` exits 0 or 1 on. */
export type Verdict = 'fits' | 'does-not-fit';

/** One rule's contribution to the virtual pruning. */
export interface AppliedRule {
  ruleId: string;
  ruleSet: string;
  risk: Risk;
  files: number;
  bytes: number;
  zippedBytes: number;
}

/** The result of a size-only check: the bundle after the configured rules, against the target. */
export interface SizeCheckResult {
  verdict: Verdict;
  target: BundleAnalysis['target'];
  arch: BundleAnalysis['arch'];
  before: { files: number; unzippedBytes: number; zippedBytes: number; fits: boolean };
  after: { files: number; unzippedBytes: number; zippedBytes: number };
  /** Limits measured after the rules were applied. */
  limits: LimitCheck[];
  applied: AppliedRule[];
  /** Every removed file with the rule and reason (the audit trail). */
  removed: RemovedFile[];
  /** Rules that matched but were not applied because their risk is above `maxRisk`. */
  skipped: AppliedRule[];
}

const RISK_ORDER: Record<Risk, number> = { safe: 0, caution: 1, danger: 2 };

/**
 * Applies the analysis' candidates (up to `maxRisk`) to the file list, without touching any file,
 * and measures the result against the target's limits. Pure.
 */
export function evaluateSizeCheck(analysis: BundleAnalysis, config: LambdafitConfig, maxRisk: Risk = 'danger'): SizeCheckResult {
  const within = (c: Candidate) => RISK_ORDER[c.risk] <= RISK_ORDER[maxRisk];
  const chosen = analysis.candidates.filter(within);
  const { kept, removed } = applyCandidates(analysis.index.code.files, chosen);
  const code = { unzippedBytes: kept.reduce((n, f) => n + f.bytes, 0), zippedBytes: predictZipBytes(kept, analysis.index.code.emptyDirectories ?? []) };
  const limits = measureLimits({
    code,
    layers: analysis.index.layers,
    target: analysis.target,
    ...limitSettings(config),
  });
  const summarize = (c: Candidate): AppliedRule => ({
    ruleId: c.ruleId,
    ruleSet: c.ruleSet,
    risk: c.risk,
    files: c.files.length,
    bytes: c.bytes,
    zippedBytes: c.zippedBytes,
  });
  const fits = fitsTarget(limits, analysis.target);
  return {
    verdict: fits ? 'fits' : 'does-not-fit',
    target: analysis.target,
    arch: analysis.arch,
    before: {
      files: analysis.index.code.files.length,
      unzippedBytes: analysis.index.code.unzippedBytes,
      zippedBytes: analysis.index.code.zippedBytes,
      fits: analysis.fits,
    },
    after: { files: kept.length, ...code },
    limits,
    applied: chosen.map(summarize),
    removed,
    skipped: analysis.candidates.filter((c) => !within(c)).map(summarize),
  };
}
