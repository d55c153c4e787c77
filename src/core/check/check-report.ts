import type { Architecture, Target } from '../config/config-schema.js';
import type { LimitCheck } from '../limits/measure-limits.js';
import type { StateMeasurement } from '../plan/fit-plan.js';
import type { SizeCheckResult } from './evaluate-size-check.js';

/** Outcome of one check. `skip`: not measured (no budget set, `--no-verify`, nothing to run). */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** What a check is about; decides the exit code a failure leads to. */
export type CheckCategory = 'limit' | 'budget' | 'verification' | 'plan';

/** One line of the check: a Lambda limit, a budget, the sandbox verification or the plan. */
export interface CheckItem {
  /** Stable id: `limit:zipped-size`, `budget:coldStartMs`, `verification`, `plan:input`. */
  id: string;
  /** Short name for people and for a JUnit test case. */
  name: string;
  category: CheckCategory;
  status: CheckStatus;
  /** Unit of `used`/`limit`/`headroom` (limits) or `measured`/`budget` (budgets). */
  unit?: 'bytes' | 'MB' | 'ms' | 'seconds' | 'count';
  /** Limits: the value measured against the Lambda limit. */
  used?: number;
  /** Limits: the limit. */
  limit?: number;
  /** Limits: `limit − used` (negative when over). */
  headroom?: number;
  /** Budgets: what was measured (null when the measurement does not exist, e.g. init failed). */
  measured?: number | null;
  /** Budgets: the configured budget. */
  budget?: number;
  /** One sentence: what was found. */
  message: string;
  /** Limits: the error AWS would answer, word for word, when exceeded. */
  awsError?: string;
  /** The file the check concerns (absolute): the bundle, lambdafit.json, the plan, an event. */
  file?: string;
  /** Extra lines: output mismatches, the failing invocation's error. */
  details?: string[];
}

/** The answer of a check: 0 fits, 1 does not fit or a budget was missed, 3 verification failed. */
export type CheckVerdict = 'fits' | 'does-not-fit' | 'verification-failed';

/** What the sandbox verification did. */
export interface VerificationSummary {
  /** `skipped` when nothing asked for it or `--no-verify`. */
  status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped, or what it ran. */
  reason: string;
  /** The result was read from the verification cache: no bundle was built and no sandbox ran. */
  cached: boolean;
  /** The cache key (sha256), when caching was on. */
  cacheKey?: string;
  /** Which isolation the sandbox had (`kernel` or `portable`). */
  isolation?: 'kernel' | 'portable';
  /** Event files (or `(empty event)`) the function was invoked with. */
  events: string[];
  /** Whether responses were compared with the plan's golden outputs. */
  comparedWithGolden: boolean;
  /** What the sandbox measured. */
  measurement?: StateMeasurement;
  /** When the verification failed: the last log lines of the function (CloudWatch format). */
  logTail?: string[];
}

/** The plan a check applied. */
export interface CheckedPlan {
  /** Absolute path of the plan file. */
  path: string;
  /** The plan's chosen alternative. */
  chosen: string | null;
  /** Steps applied. */
  steps: number;
  /** Whether the plan was made for exactly this input tree. */
  treeHashMatches: boolean;
}

/**
 * The whole result of `lambdafit check` as data. The size fields (`before`, `after`, `limits`,
 * `applied`, `removed`, `skipped`) keep the shape of the size-only check.
 */
export interface CheckReport extends Pick<SizeCheckResult, 'before' | 'after' | 'applied' | 'removed' | 'skipped'> {
  verdict: CheckVerdict;
  /** Process exit code for `verdict` (DESIGN §3). */
  exitCode: 0 | 1 | 3;
  /** The input, absolute. */
  bundle: string;
  target: Target;
  arch: Architecture;
  /** The plan applied, or null for the rules-only check. */
  plan: CheckedPlan | null;
  /** Rule sets applied virtually (rules-only check). */
  ruleSets: string[];
  /** Every limit measured after the rules or the plan. */
  limits: LimitCheck[];
  /** Every check, in report order. */
  checks: CheckItem[];
  summary: { passed: number; failed: number; skipped: number };
  verification: VerificationSummary;
}

/**
 * Decides the verdict from the checks: a failed verification or plan check is exit 3 (the
 * function does not provably work, so its sizes and timings mean little), otherwise any failed
 * limit or budget is exit 1. Pure.
 */
export function decideVerdict(checks: readonly CheckItem[]): { verdict: CheckVerdict; exitCode: 0 | 1 | 3 } {
  const failed = checks.filter((c) => c.status === 'fail');
  if (failed.some((c) => c.category === 'verification' || c.category === 'plan')) return { verdict: 'verification-failed', exitCode: 3 };
  if (failed.length > 0) return { verdict: 'does-not-fit', exitCode: 1 };
  return { verdict: 'fits', exitCode: 0 };
}

/** Counts checks per status. Pure. */
export function summarizeChecks(checks: readonly CheckItem[]): CheckReport['summary'] {
  return {
    passed: checks.filter((c) => c.status === 'pass').length,
    failed: checks.filter((c) => c.status === 'fail').length,
    skipped: checks.filter((c) => c.status === 'skip').length,
  };
}
