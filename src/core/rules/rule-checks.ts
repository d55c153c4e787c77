import { ARCHITECTURES } from '../config/config-schema.js';
import { globProblem } from './glob-problem.js';
import { KNOWN_BREAKAGES } from './known-breakages.js';
import { matchRules } from './match-rules.js';
import type { Rule, RuleSet } from './schema.js';

/** What a semantic check sees and how it reports; paths are dotted (`rules[3].match.globs[0]`). */
export interface RuleCheckContext {
  ruleSet: RuleSet;
  /** A problem that stops the set from loading. */
  error(path: string, message: string): void;
  /** A problem worth saying that does not stop loading. */
  warn(path: string, message: string): void;
}

/** One semantic check over a schema-valid rule set. */
export type RuleCheck = (ctx: RuleCheckContext) => void;

/** Rule ids must be unique within a set: `disable` and every explanation refer to them. */
export const noDuplicateRuleIds: RuleCheck = ({ ruleSet, error }) => {
  const first = new Map<string, number>();
  ruleSet.rules.forEach((rule, i) => {
    const earlier = first.get(rule.id);
    if (earlier === undefined) first.set(rule.id, i);
    else error(`rules[${i}].id`, `duplicate rule id "${rule.id}" (also rules[${earlier}]); give each rule its own id`);
  });
};

/** Globs must compile and be able to match a bundle path. */
export const validGlobs: RuleCheck = ({ ruleSet, error, warn }) => {
  ruleSet.rules.forEach((rule, i) => {
    const lists: [string, readonly string[] | undefined][] = [
      ['globs', rule.match.globs],
      ['excludeGlobs', rule.match.excludeGlobs],
      ['packages', rule.match.packages],
    ];
    rule.match.predicates?.forEach((p, j) => lists.push([`predicates[${j}].pythonTopLevel`, p.pythonTopLevel]));
    for (const [key, globs] of lists) {
      globs?.forEach((glob, k) => {
        const problem = globProblem(glob);
        const path = `rules[${i}].match.${key}[${k}]`;
        if (problem?.severity === 'error') error(path, problem.message);
        else if (problem) warn(path, problem.message);
        else if (key.endsWith('pythonTopLevel') && glob.includes('/')) error(path, `"${glob}" contains "/"; a top-level name is one folder or module name`);
      });
    }
  });
};

/** A rule without any criterion would claim every file in its scope. */
export const noEmptyMatch: RuleCheck = ({ ruleSet, error }) => {
  ruleSet.rules.forEach((rule, i) => {
    const m = rule.match;
    if (!m.globs && !m.kinds && !m.packages && !m.predicates) {
      error(`rules[${i}].match`, 'has no globs, kinds, packages or predicates and would claim every file; add at least one');
    }
  });
};

/** `{}` in a predicate list says nothing and is almost always a typo. */
export const noEmptyPredicate: RuleCheck = ({ ruleSet, error }) => {
  ruleSet.rules.forEach((rule, i) => {
    rule.match.predicates?.forEach((p, j) => {
      if (Object.keys(p).length === 0) error(`rules[${i}].match.predicates[${j}]`, 'is empty; name a predicate such as { "native": "foreign-platform" }');
    });
  });
};

/** Warns when a rule would remove a file whose removal broke functions before (fit-anchors §4). */
export const noKnownBreakage: RuleCheck = ({ ruleSet, warn }) => {
  ruleSet.rules.forEach((rule, i) => {
    const said = new Set<string>();
    // A broken glob is validGlobs' error to report; compiling it here would throw.
    if (ruleGlobs(rule).some((glob) => globProblem(glob)?.severity === 'error')) return;
    const single: RuleSet = { id: ruleSet.id, description: ruleSet.description, rules: [rule] };
    for (const arch of ARCHITECTURES) {
      const cases = KNOWN_BREAKAGES.filter((k) => (k.arch ?? arch) === arch && k.forbiddenRisks.includes(rule.risk));
      if (cases.length === 0) continue;
      const hit = matchRules(cases.map((k) => k.file), [single], { arch })[0];
      for (const file of hit?.files ?? []) {
        const incident = cases.find((k) => k.file.path === file.path)!.incident;
        const message = `"${rule.id}" (${rule.risk}) would remove ${file.path}: ${incident}`;
        if (!said.has(message)) warn(`rules[${i}]`, message);
        said.add(message);
      }
    }
  });
};

function ruleGlobs(rule: Rule): string[] {
  const m = rule.match;
  return [...(m.globs ?? []), ...(m.excludeGlobs ?? []), ...(m.packages ?? []), ...(m.predicates ?? []).flatMap((p) => p.pythonTopLevel ?? [])];
}

/** The checks `loadRuleSets` runs, in order. */
export const RULE_CHECKS: readonly RuleCheck[] = [noDuplicateRuleIds, validGlobs, noEmptyMatch, noEmptyPredicate, noKnownBreakage];

/** Runs checks over one rule set and collects `path: message` lines. */
export function runRuleChecks(ruleSet: RuleSet, checks: readonly RuleCheck[] = RULE_CHECKS): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const ctx: RuleCheckContext = {
    ruleSet,
    error: (path, message) => errors.push(`${path}: ${message}`),
    warn: (path, message) => warnings.push(`${path}: ${message}`),
  };
  for (const check of checks) check(ctx);
  return { errors, warnings };
}
