import type { Architecture } from '../config/config-schema.js';
import type { FileKind } from '../scan/bundle-index.js';
import { compileGlob, type CompiledGlob } from './compile-glob.js';
import { memoizeNameTest } from './glob-matcher.js';
import { expandGlobVariables } from './glob-variables.js';
import type { MatchScope, Rule, RuleSet } from './schema.js';
import { NATIVE_PREDICATE_VALUES } from './schema.js';

/** A rule ready to test files: globs compiled once for the target architecture. */
export interface CompiledRule {
  /** Id of the rule set the rule came from. */
  ruleSet: string;
  /** The rule as written. */
  rule: Rule;
  /** What the globs are matched against. */
  scope: MatchScope;
  /** `match.globs`, compiled for the architecture. */
  globs?: CompiledGlob[];
  /** `match.excludeGlobs`, compiled. */
  excludeGlobs?: CompiledGlob[];
  /** `match.kinds`. */
  kinds?: ReadonlySet<FileKind>;
  /** Returns the matching package glob for a package name (memoized). */
  packages?: (name: string) => string | undefined;
  /** `match.minBytes`, 0 when absent. */
  minBytes: number;
  /** The `native` predicate's value. */
  native?: (typeof NATIVE_PREDICATE_VALUES)[number];
  /** Returns the matching glob for a top-level Python name (memoized). */
  pythonTopLevel?: (name: string) => string | undefined;
  /** Needs the whole tree (duplicate detection), so it is matched after every other rule. */
  contextual: boolean;
}

/** Options of `compileRules`. */
export interface CompileRulesOptions {
  /** Target architecture, substituted into `${nodeArch}`-style glob variables. @default 'x86_64' */
  arch?: Architecture;
  /** Rules to leave out: `ruleId`, `ruleSetId/ruleId`, or a whole `ruleSetId`. */
  disable?: readonly string[];
}

/** The compiled rules in precedence order, plus `disable` entries that named nothing. */
export interface CompiledRules {
  /** Enabled rules in precedence order. */
  rules: CompiledRule[];
  /** `disable` entries that named no set or rule (worth a warning: probably a typo). */
  unknownDisable: string[];
}

/**
 * Compiles rule sets for one architecture. Precedence is the order of `ruleSets`, then each set's
 * rule order; disabled rules are dropped here so they claim nothing.
 */
export function compileRules(ruleSets: readonly RuleSet[], options: CompileRulesOptions = {}): CompiledRules {
  const arch = options.arch ?? 'x86_64';
  const disable = new Set(options.disable ?? []);
  const used = new Set<string>();
  const rules: CompiledRule[] = [];
  for (const set of ruleSets) {
    if (disable.has(set.id)) {
      used.add(set.id);
      continue;
    }
    for (const rule of set.rules) {
      const refs = [rule.id, `${set.id}/${rule.id}`].filter((ref) => disable.has(ref));
      refs.forEach((ref) => used.add(ref));
      if (refs.length === 0) rules.push(compileRule(set.id, rule, arch));
    }
  }
  return { rules, unknownDisable: [...disable].filter((ref) => !used.has(ref)) };
}

/** Compiles one rule. */
export function compileRule(ruleSet: string, rule: Rule, arch: Architecture): CompiledRule {
  const m = rule.match;
  const predicates = m.predicates ?? [];
  const nocase = m.nocase ?? false;
  const compile = (globs: readonly string[], caseless: boolean) => globs.map((g) => compileGlob(expandGlobVariables(g, arch), caseless, g));
  const topLevel = predicates.flatMap((p) => p.pythonTopLevel ?? []);
  // Every field is set, absent ones to undefined: all compiled rules then share one object shape,
  // and the matcher's hot loops read them without meeting a new shape (and deoptimizing) midway.
  return {
    ruleSet,
    rule,
    scope: m.scope ?? 'bundle',
    globs: m.globs && compile(m.globs, nocase),
    excludeGlobs: m.excludeGlobs && compile(m.excludeGlobs, nocase),
    kinds: m.kinds && new Set(m.kinds),
    packages: m.packages && memoizeNameTest(compile(m.packages, false)),
    minBytes: m.minBytes ?? 0,
    native: predicates.find((p) => p.native)?.native || undefined,
    pythonTopLevel: topLevel.length > 0 ? memoizeNameTest(compile(topLevel, false)) : undefined,
    contextual: predicates.some((p) => p.duplicate === true),
  };
}
