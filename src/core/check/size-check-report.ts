import { buildCheckItems } from './build-check-items.js';
import { decideVerdict, summarizeChecks, type CheckReport } from './check-report.js';
import type { SizeCheckResult } from './evaluate-size-check.js';

/**
 * A size-only result (`evaluateSizeCheck`) as a full check report without a sandbox verification,
 * for callers that only predict sizes (the demo's rules step). Pure.
 */
export function sizeCheckReport(result: SizeCheckResult, bundle: string, ruleSets: string[] = []): CheckReport {
  const { verdict: _v, ...size } = result;
  const verification = { status: 'skipped' as const, reason: 'size-only check', cached: false, events: [], comparedWithGolden: false };
  // No sandbox was asked for: a "not run" line would only be noise.
  const checks = buildCheckItems({
    bundle,
    limits: result.limits,
    sizes: { zippedBytes: result.after.zippedBytes, unzippedBytes: result.after.unzippedBytes },
    budgets: {},
    verification,
  }).filter((c) => c.id !== 'verification');
  return { ...decideVerdict(checks), ...size, bundle, plan: null, ruleSets, checks, summary: summarizeChecks(checks), verification };
}
