import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ConfigError } from '../../../src/core/errors.js';
import { builtInNames, loadRuleSets, ruleSetsOrThrow } from '../../../src/core/rules/load-rule-sets.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambdafit-rules-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Loosely typed on purpose: these tests feed the loader invalid rules.
const rule = (overrides: Record<string, unknown> = {}): unknown => ({
  id: 'r',
  description: 'd',
  risk: 'safe',
  match: { globs: ['**/*.md'] },
  explanation: 'e',
  ...overrides,
});

async function load(name: string, content: unknown) {
  await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return loadRuleSets([`./${name}`], { baseDir: dir });
}

describe('loadRuleSets: built-in sets', () => {
  it('loads every built-in set by name, without errors or warnings', async () => {
    const names = await builtInNames();
    expect(names).toEqual(['dedupe', 'native-foreign', 'node-safe', 'python-seed']);
    const result = await loadRuleSets(names);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ruleSets.map((s) => [s.id, s.builtIn, s.source])).toEqual([
      ['dedupe', true, 'rules/dedupe.json (built-in)'],
      ['native-foreign', true, 'rules/native-foreign.json (built-in)'],
      ['node-safe', true, 'rules/node-safe.json (built-in)'],
      ['python-seed', true, 'rules/python-seed.json (built-in)'],
    ]);
  });

  it('names the available sets when a built-in name is unknown', async () => {
    const result = await loadRuleSets(['node-saef']);
    expect(result.ruleSets).toEqual([]);
    expect(result.errors).toEqual([
      'node-saef: no built-in rule set of that name; use one of dedupe, native-foreign, node-safe, python-seed, or a path to a JSON file',
    ]);
  });
});

describe('loadRuleSets: user sets', () => {
  it('resolves paths against baseDir and reads a valid set', async () => {
    const result = await load('ok.json', { id: 'mine', description: 'x', rules: [rule()] });
    expect(result.errors).toEqual([]);
    expect(result.ruleSets[0]).toMatchObject({ id: 'mine', source: 'ok.json', builtIn: false });
  });

  it('reports unreadable files and bad JSON with the file name', async () => {
    expect((await loadRuleSets(['./missing.json'], { baseDir: dir })).errors).toEqual([
      'missing.json: cannot read the rule set (ENOENT); check the path in rules.use',
    ]);
    const bad = await load('bad.json', '{ "id": ');
    expect(bad.errors[0]).toMatch(/^bad\.json: not valid JSON \(.+\); fix the syntax$/);
  });

  it('reports schema violations with dotted paths', async () => {
    const result = await load('schema.json', {
      id: 'Bad Id',
      description: 'x',
      rules: [rule(), rule({ id: 'b', risk: 'risky', match: { globs: [7], colour: 'red' } })],
    });
    expect(result.ruleSets).toEqual([]);
    expect(result.errors).toEqual([
      'schema.json: id: must be kebab-case (lower-case letters, digits, single dashes)',
      expect.stringMatching(/^schema\.json: rules\[1\]\.risk: /),
      'schema.json: rules[1].match.globs[0]: Invalid input: expected string, received number',
      'schema.json: rules[1].match: unknown key "colour"',
    ]);
  });

  it('rejects an unknown predicate with the list of known ones', async () => {
    const result = await load('pred.json', { id: 'p', description: 'x', rules: [rule({ match: { predicates: [{ native: 'any' }, { nativ: 'foreign-platform' }] } })] });
    expect(result.errors).toEqual([
      'pred.json: rules[0].match.predicates[1]: unknown predicate "nativ"; known predicates are native, duplicate, pythonTopLevel',
    ]);
  });

  it('runs the semantic checks and reports every problem, each at its path', async () => {
    const result = await load('semantic.json', {
      id: 'sem',
      description: 'x',
      rules: [
        rule({ id: 'a', match: { globs: ['**/*.md', 'docs/[', 'build/', '/abs/**', '../x', '!**/*.js', '**/${cpu}/**'] } }),
        rule({ id: 'a', match: { scope: 'npm-package' } }),
        rule({ id: 'c', match: { predicates: [{}] } }),
        rule({ id: 'd', match: { predicates: [{ pythonTopLevel: ['boto/core'] }] } }),
      ],
    });
    expect(result.ruleSets).toEqual([]);
    expect(result.errors).toEqual([
      'semantic.json: rules[1].id: duplicate rule id "a" (also rules[0]); give each rule its own id',
      expect.stringMatching(/^semantic\.json: rules\[0\]\.match\.globs\[1\]: invalid glob "docs\/\[": Missing closing: "\]"/),
      'semantic.json: rules[0].match.globs[2]: "build/" ends with "/" and so matches no file; write "build/**" for everything inside the folder',
      'semantic.json: rules[0].match.globs[3]: "/abs/**" starts with "/"; globs are relative to the scope root, so drop the leading slash',
      'semantic.json: rules[0].match.globs[4]: "../x" contains "..", which can never match a bundle path',
      'semantic.json: rules[0].match.globs[5]: "!**/*.js" is a negated glob; list it in excludeGlobs instead',
      'semantic.json: rules[0].match.globs[6]: unknown variable ${cpu}; use ${nodeArch}, ${unameArch} or ${lambdaArch}',
      'semantic.json: rules[3].match.predicates[0].pythonTopLevel[0]: "boto/core" contains "/"; a top-level name is one folder or module name',
      'semantic.json: rules[1].match: has no globs, kinds, packages or predicates and would claim every file; add at least one',
      'semantic.json: rules[2].match.predicates[0]: is empty; name a predicate such as { "native": "foreign-platform" }',
    ]);
  });

  it('accepts a rule that matches nothing in any bundle', async () => {
    const result = await load('nothing.json', { id: 'nothing', description: 'x', rules: [rule({ match: { globs: ['**/*.does-not-exist'] } })] });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ruleSets).toHaveLength(1);
  });

  it('warns when a rule would repeat a known breakage, and still loads it', async () => {
    const result = await load('risky.json', {
      id: 'risky',
      description: 'x',
      rules: [
        rule({ id: 'licenses', match: { scope: 'npm-package', globs: ['**/license*'], nocase: true } }),
        // A folder glob is what deleted the lodash.map package; `**/*.map` only sees file names.
        rule({ id: 'maps', match: { globs: ['**/*.map', '**/*.map/**'] } }),
        rule({ id: 'typings', risk: 'caution', match: { globs: ['**/*.d.ts'] } }),
        rule({ id: 'typings-safe', match: { globs: ['**/*.d.ts'] } }),
        rule({ id: 'danger-ok', risk: 'danger', match: { globs: ['**/license*'] } }),
      ],
    });
    expect(result.errors).toEqual([]);
    expect(result.ruleSets).toHaveLength(1);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^risky\.json: rules\[0\]: "licenses" \(safe\) would remove node_modules\/aws-sdk\/lib\/licensemanager\.js: .*modclean#36/),
      expect.stringMatching(/^risky\.json: rules\[1\]: "maps" \(safe\) would remove node_modules\/lodash\.map\/index\.js: /),
      expect.stringMatching(/^risky\.json: rules\[3\]: "typings-safe" \(safe\) would remove node_modules\/@types\/node\/index\.d\.ts: /),
    ]);
  });

  it('ignores a second copy of the same set id, and flags rule ids shared across sets', async () => {
    await writeFile(join(dir, 'a.json'), JSON.stringify({ id: 'same', description: 'x', rules: [rule({ id: 'shared' })] }));
    await writeFile(join(dir, 'b.json'), JSON.stringify({ id: 'same', description: 'x', rules: [rule()] }));
    await writeFile(join(dir, 'c.json'), JSON.stringify({ id: 'other', description: 'x', rules: [rule({ id: 'shared' })] }));
    const result = await loadRuleSets(['./a.json', './b.json', './c.json'], { baseDir: dir });
    expect(result.ruleSets.map((s) => s.source)).toEqual(['a.json', 'c.json']);
    expect(result.warnings).toEqual([
      'b.json: id: rule set "same" is already loaded from a.json; this copy is ignored',
      'c.json: rule id "shared" is also used by a.json; disable it as "other/shared" to target one',
    ]);
  });
});

describe('ruleSetsOrThrow', () => {
  it('passes loaded sets through and turns errors into one ConfigError with every problem', async () => {
    const good = await loadRuleSets(['dedupe']);
    expect(ruleSetsOrThrow(good).map((s) => s.id)).toEqual(['dedupe']);
    const bad = await loadRuleSets(['nope', './missing.json'], { baseDir: dir });
    let thrown: unknown;
    try {
      ruleSetsOrThrow(bad);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual(bad.errors);
    expect((thrown as ConfigError).message).toMatch(/^Invalid rule set: nope: no built-in rule set of that name.* \(and 1 more\)\. Fix the rule file/);
    expect((thrown as ConfigError).exitCode).toBe(2);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadRuleSets(['dedupe'], { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
