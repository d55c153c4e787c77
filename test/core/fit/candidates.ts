import type { Candidate } from '../../../src/core/rules/candidate.js';
import type { Risk } from '../../../src/core/rules/schema.js';

/** A rule candidate over the given paths (1 KiB each), for the fit loop's unit tests. */
export function candidate(ruleId: string, risk: Risk, paths: string[], ruleSet = 'node-safe'): Candidate {
  return {
    ruleId,
    ruleSet,
    risk,
    description: ruleId,
    explanation: '',
    files: paths.map((path) => ({ path, bytes: 1024, reason: 'test' })),
    bytes: paths.length * 1024,
    zippedBytes: paths.length * 600,
  };
}
