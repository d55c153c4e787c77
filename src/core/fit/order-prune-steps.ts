import type { Candidate } from '../rules/candidate.js';
import type { Risk } from '../rules/schema.js';

/** A group of rule candidates verified together; bisected by rule, then by file, when it fails. */
export interface ProposedPruneStep {
  /** What the step removes, for progress and the report. */
  label: string;
  /** Highest risk in the group. */
  risk: Risk;
  /** Candidates in the group, each becoming one prune step of the plan when it verifies. */
  candidates: Candidate[];
}

const RISK_ORDER: Record<Risk, number> = { safe: 0, caution: 1, danger: 2 };

/**
 * Orders pruning the way a careful engineer would: binaries for another platform first (the
 * biggest, surest win), then the other rules by risk, safe before caution before danger, each
 * risk level one verification. Rules above `maxRisk` are left out. Pure.
 */
export function orderPruneSteps(candidates: readonly Candidate[], maxRisk: Risk): ProposedPruneStep[] {
  const allowed = candidates.filter((c) => RISK_ORDER[c.risk] <= RISK_ORDER[maxRisk] && c.files.length > 0);
  const byBytes = (a: Candidate, b: Candidate) => b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId);
  const steps: ProposedPruneStep[] = [];
  const foreign = allowed.filter((c) => c.ruleSet === 'native-foreign').sort(byBytes);
  if (foreign.length > 0) steps.push({ label: 'binaries for other platforms', risk: maxRiskOf(foreign), candidates: foreign });
  for (const risk of ['safe', 'caution', 'danger'] as const) {
    const group = allowed.filter((c) => c.ruleSet !== 'native-foreign' && c.risk === risk).sort(byBytes);
    if (group.length > 0) steps.push({ label: `${risk} rules`, risk, candidates: group });
  }
  return steps;
}

function maxRiskOf(candidates: readonly Candidate[]): Risk {
  return candidates.reduce<Risk>((r, c) => (RISK_ORDER[c.risk] > RISK_ORDER[r] ? c.risk : r), 'safe');
}
