import { z } from 'zod';
import type { FileKind } from '../scan/bundle-index.js';

/**
 * The one schema of rule-set files (`rules/*.json`). `rules/schema.json` is generated from it
 * (`npx tsx scripts/generate-schema.ts`) so editors can complete and check rule files.
 */

/** How much a rule can break, in the order the fit loop tries them. */
export const RISKS = ['safe', 'caution', 'danger'] as const;
/** How much a rule can break. */
export type Risk = (typeof RISKS)[number];

/** File kinds a rule can select on; the scanner's `FileKind`, spelled out for the schema. */
export const FILE_KINDS = [
  'source',
  'typings',
  'sourcemap',
  'docs',
  'tests',
  'examples',
  'config',
  'native',
  'model',
  'python-bytecode',
  'archive',
  'other',
] as const satisfies readonly FileKind[];
// Fails to compile when the scanner adds a kind that the list above lacks.
const everyKindListed: Exclude<FileKind, (typeof FILE_KINDS)[number]> extends never ? true : false = true;
void everyKindListed;

/**
 * What a rule's globs are matched against. `bundle`: the path from the bundle root.
 * `npm-package`: the path inside the owning npm package (`node_modules/a/lib/x.js` → `lib/x.js`);
 * files that are not inside a package (`.bin/`, the app's own code) never match, and neither can a
 * package folder itself, so a glob can never delete a package that happens to be named `test`.
 * `python-root`: the path from the Python root (a `site-packages` folder, a layer's `python/`, or
 * a Python function's root); files outside Python roots never match.
 */
export const MATCH_SCOPES = ['bundle', 'npm-package', 'python-root'] as const;
/** What a rule's globs are matched against. */
export type MatchScope = (typeof MATCH_SCOPES)[number];

/** Values of the `native` predicate. */
export const NATIVE_PREDICATE_VALUES = ['foreign-platform', 'target-platform', 'any'] as const;

/** Names of the predicates, for messages. */
export const PREDICATE_NAMES = ['native', 'duplicate', 'pythonTopLevel'] as const;
/** Name of one predicate. */
export type PredicateName = (typeof PREDICATE_NAMES)[number];

const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case (lower-case letters, digits, single dashes)');

const globList = (what: string) => z.array(z.string().min(1)).min(1).optional().describe(what);

/**
 * A named test that globs cannot express. Every key present must hold. Unknown keys are
 * rejected with the list of known ones.
 */
export const predicateSchema = z
  .strictObject(
    {
      native: z
        .enum(NATIVE_PREDICATE_VALUES)
        .optional()
        .describe(
          'The file is a native binary (from its ELF/Mach-O/PE header) whose OS/arch/libc is not the target (foreign-platform: anything but Linux glibc on the target arch), is the target (target-platform), or any native binary (any).',
        ),
      duplicate: z
        .literal(true)
        .optional()
        .describe(
          'The file is a redundant copy: same content hash as another file that stays. The copy kept is a user-kept file if any, else the shortest path, then the lexicographically first.',
        ),
      pythonTopLevel: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe('The file belongs to a top-level Python package or module whose name matches one of these globs (e.g. "boto*").'),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown predicate ${issue.keys.map((k) => `"${k}"`).join(', ')}; known predicates are ${PREDICATE_NAMES.join(', ')}`
          : undefined,
    },
  )
  .meta({ minProperties: 1 });
/** A named, data-driven test on a file. */
export type Predicate = z.infer<typeof predicateSchema>;

/** Which files a rule selects: every criterion given must hold. */
export const matchSchema = z.strictObject({
  scope: z
    .enum(MATCH_SCOPES)
    .optional()
    .describe(
      'What the globs are matched against. bundle (default): the path from the bundle root. npm-package: the path inside the owning npm package (node_modules/a/lib/x.js → lib/x.js); files outside packages, such as .bin/, never match. python-root: the path from the Python root (site-packages, a layer\'s python/, or a Python function\'s root); other files never match.',
    ),
  globs: globList(
    'picomatch globs ({ dot: true }); the file matches when any matches. May use ${nodeArch} (x64|arm64), ${unameArch} (x86_64|aarch64) and ${lambdaArch} (x86_64|arm64) for the target architecture.',
  ),
  excludeGlobs: globList('Globs (same scope) that veto a match.'),
  nocase: z.boolean().optional().describe('Match globs case-insensitively (LICENSE, License, license). Default false.'),
  kinds: z.array(z.enum(FILE_KINDS)).min(1).optional().describe('The file kind, as the scanner classified it, must be one of these.'),
  packages: globList('The owning package (npm name or Python distribution) must match one of these globs.'),
  minBytes: z.int().min(0).optional().describe('Only files of at least this many bytes.'),
  predicates: z.array(predicateSchema).min(1).optional().describe('Named tests; all must hold.'),
});
/** Which files a rule selects. */
export type RuleMatch = z.infer<typeof matchSchema>;

/** One rule: a selection of files, its risk and the reasoning behind it. */
export const ruleSchema = z.strictObject({
  id: idSchema.describe('Unique within the set; used by rules.disable and in every explanation.'),
  description: z.string().min(1).describe('What the rule removes, in a few words.'),
  risk: z.enum(RISKS).describe('safe: removal cannot break a working function; caution: it can in known cases; danger: it often does.'),
  match: matchSchema,
  explanation: z.string().min(1).describe('Why it is usually unused, and what breaks when it is not.'),
  references: z.array(z.string().min(1)).optional().describe('Issues or docs behind the explanation.'),
});
/** One rule. */
export type Rule = z.infer<typeof ruleSchema>;

/** A rule-set file. Rules claim files in order: a file matched by an earlier rule is not offered again. */
export const ruleSetSchema = z.strictObject({
  $schema: z.string().optional(),
  id: idSchema.describe('Name used in lambdafit.json rules.use.'),
  description: z.string().min(1),
  rules: z.array(ruleSchema).min(1).describe('In precedence order: put narrow, low-risk rules first.'),
});
/** A validated rule-set file. */
export type RuleSet = z.infer<typeof ruleSetSchema>;
