import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { formatZodIssues } from '../config/format-zod-issues.js';
import { ConfigError, throwIfAborted } from '../errors.js';
import { packageRoot } from '../package-root.js';
import type { OperationOptions } from '../progress.js';
import { RULE_CHECKS, runRuleChecks, type RuleCheck } from './rule-checks.js';
import { ruleSetSchema, type RuleSet } from './schema.js';

/** A rule set that passed the schema and every semantic check. */
export interface LoadedRuleSet extends RuleSet {
  /** The file it was read from, as shown in messages. */
  source: string;
  /** True for the sets shipped in lambdafit's `rules/` folder. */
  builtIn: boolean;
}

/** What `loadRuleSets` found: the valid sets, and problems as `file: dotted.path: message` lines. */
export interface LoadRuleSetsResult {
  /** Sets without errors, in the order asked for (which is their precedence). */
  ruleSets: LoadedRuleSet[];
  warnings: string[];
  /** A set with any error is left out of `ruleSets`. */
  errors: string[];
}

/** Options of `loadRuleSets`. */
export interface LoadRuleSetsOptions extends Pick<OperationOptions, 'signal'> {
  /** Folder that relative paths resolve against: the bundle or config folder. @default process.cwd() */
  baseDir?: string;
  /** Folder of the built-in sets. @default `rules/` under `packageRoot()` */
  builtInDir?: string;
  /** Semantic checks to run. @default RULE_CHECKS */
  checks?: readonly RuleCheck[];
  /** Reads a file as UTF-8; injectable for tests. @default fs.promises.readFile */
  readText?: (path: string) => Promise<string>;
}

const BUILT_IN_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Loads rule sets by built-in name (`node-safe`, looked up in lambdafit's `rules/`) or by path
 * to a JSON file (relative to `baseDir`). Never throws for a bad set: each problem becomes one
 * line in `errors` or `warnings` that names the file and the dotted path inside it.
 */
export async function loadRuleSets(refs: readonly string[], options: LoadRuleSetsOptions = {}): Promise<LoadRuleSetsResult> {
  const baseDir = options.baseDir ?? process.cwd();
  const builtInDir = options.builtInDir ?? join(packageRoot(), 'rules');
  const read = options.readText ?? ((path: string) => readFile(path, 'utf8'));
  const result: LoadRuleSetsResult = { ruleSets: [], warnings: [], errors: [] };
  const loadedFrom = new Map<string, string>();

  for (const ref of refs) {
    throwIfAborted(options.signal);
    const builtIn = BUILT_IN_NAME.test(ref);
    const path = builtIn ? join(builtInDir, `${ref}.json`) : resolve(baseDir, ref);
    const shown = builtIn ? `rules/${ref}.json (built-in)` : displayPath(path, baseDir);
    let text: string;
    try {
      text = await read(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (builtIn && code === 'ENOENT') {
        const names = await builtInNames(builtInDir);
        result.errors.push(`${ref}: no built-in rule set of that name; use one of ${names.join(', ')}, or a path to a JSON file`);
      } else {
        result.errors.push(`${shown}: cannot read the rule set (${code ?? (err as Error).message}); check the path in rules.use`);
      }
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      result.errors.push(`${shown}: not valid JSON (${(err as Error).message}); fix the syntax`);
      continue;
    }
    const parsed = ruleSetSchema.safeParse(json);
    if (!parsed.success) {
      result.errors.push(...formatZodIssues(parsed.error.issues.map(keepPredicateMessage)).map((line) => `${shown}: ${line}`));
      continue;
    }
    const { errors, warnings } = runRuleChecks(parsed.data, options.checks ?? RULE_CHECKS);
    result.warnings.push(...warnings.map((line) => `${shown}: ${line}`));
    if (errors.length > 0) {
      result.errors.push(...errors.map((line) => `${shown}: ${line}`));
      continue;
    }
    const earlier = loadedFrom.get(parsed.data.id);
    if (earlier !== undefined) {
      result.warnings.push(`${shown}: id: rule set "${parsed.data.id}" is already loaded from ${earlier}; this copy is ignored`);
      continue;
    }
    loadedFrom.set(parsed.data.id, shown);
    result.ruleSets.push({ ...parsed.data, source: shown, builtIn });
  }
  result.warnings.push(...sharedRuleIds(result.ruleSets));
  return result;
}

/**
 * The loaded sets, or a ConfigError listing every problem (`file: dotted.path: message`) when any
 * set failed: for front-ends that stop on a bad rule file. Warnings are left to the caller.
 */
export function ruleSetsOrThrow(result: LoadRuleSetsResult): LoadedRuleSet[] {
  if (result.errors.length === 0) return result.ruleSets;
  const [first] = result.errors;
  const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '';
  throw new ConfigError(`Invalid rule set: ${first}${more}. Fix the rule file or remove it from rules.use.`, result.errors, 'E_RULES');
}

/** Names of the built-in rule sets, for messages and help. */
export async function builtInNames(builtInDir = join(packageRoot(), 'rules')): Promise<string[]> {
  const entries = await readdir(builtInDir).catch(() => [] as string[]);
  return entries
    .filter((name) => name.endsWith('.json') && name !== 'schema.json')
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

// The same rule id in two sets is legal (candidates carry their set), but a bare id in
// rules.disable then switches off both, which deserves a word.
function sharedRuleIds(sets: readonly LoadedRuleSet[]): string[] {
  const owner = new Map<string, LoadedRuleSet>();
  const warnings: string[] = [];
  for (const set of sets) {
    for (const rule of set.rules) {
      const first = owner.get(rule.id);
      if (first && first !== set) {
        warnings.push(`${set.source}: rule id "${rule.id}" is also used by ${first.source}; disable it as "${set.id}/${rule.id}" to target one`);
      } else owner.set(rule.id, set);
    }
  }
  return warnings;
}

// The shared formatter rewrites unknown keys as "unknown key …"; for predicates the schema's own
// message is more useful, since it lists the predicates that exist.
function keepPredicateMessage(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  const parent = issue.path[issue.path.length - 2];
  if (issue.code !== 'unrecognized_keys' || parent !== 'predicates') return issue;
  return { code: 'custom', path: issue.path, message: issue.message, input: issue.input } as z.core.$ZodIssue;
}

function displayPath(path: string, baseDir: string): string {
  const rel = relative(baseDir, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
