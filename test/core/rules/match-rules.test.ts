import { describe, expect, it } from 'vitest';
import { compileRules } from '../../../src/core/rules/compile-rules.js';
import { findRedundantCopies } from '../../../src/core/rules/find-redundant-copies.js';
import { matchRules } from '../../../src/core/rules/match-rules.js';
import { nativeVerdict } from '../../../src/core/rules/native-platform.js';
import type { Rule, RuleSet } from '../../../src/core/rules/schema.js';
import { elf, makeTree } from './tree-builder.js';

const rule = (id: string, match: Rule['match'], risk: Rule['risk'] = 'safe'): Rule => ({ id, description: id, risk, match, explanation: `why ${id}` });
const set = (id: string, ...rules: Rule[]): RuleSet => ({ id, description: id, rules });
const summary = (candidates: ReturnType<typeof matchRules>) => candidates.map((c) => [`${c.ruleSet}/${c.ruleId}`, c.files.map((f) => f.path)]);

describe('matchRules: precedence', () => {
  const tree = makeTree({ 'docs/a.md': 10, 'docs/b.txt': 20, 'README.md': 30, 'src/x.js': 40 });
  const docs = set('docs', rule('markdown', { globs: ['**/*.md'] }), rule('docs-dir', { globs: ['docs/**'] }, 'caution'));

  it('gives each file to the first matching rule, so no byte is counted twice', () => {
    const candidates = matchRules(tree, [docs]);
    expect(summary(candidates)).toEqual([
      ['docs/markdown', ['README.md', 'docs/a.md']],
      ['docs/docs-dir', ['docs/b.txt']],
    ]);
    expect(candidates.map((c) => c.bytes)).toEqual([40, 20]);
    expect(candidates[0]).toMatchObject({ risk: 'safe', description: 'markdown', explanation: 'why markdown' });
  });

  it('orders sets as given: an earlier set claims first', () => {
    const other = set('other', rule('all-docs', { globs: ['docs/**'] }));
    expect(summary(matchRules(tree, [other, docs]))).toEqual([
      ['other/all-docs', ['docs/a.md', 'docs/b.txt']],
      ['docs/markdown', ['README.md']],
    ]);
  });

  it('lets keep globs veto every rule and drop globs, and puts user-drop first', () => {
    const candidates = matchRules(tree, [docs], { keep: ['**/a.md'], drop: ['src/**', 'docs/a.md'] });
    expect(summary(candidates)).toEqual([
      ['user/user-drop', ['src/x.js']],
      ['docs/markdown', ['README.md']],
      ['docs/docs-dir', ['docs/b.txt']],
    ]);
    expect(candidates[0]).toMatchObject({ ruleId: 'user-drop', ruleSet: 'user', risk: 'safe' });
    expect(candidates[0]!.files[0]!.reason).toBe('matches "src/**"');
  });

  it('disables rules by id, by set/id and whole sets, and reports names that match nothing', () => {
    expect(summary(matchRules(tree, [docs], { disable: ['markdown'] }))).toEqual([['docs/docs-dir', ['docs/a.md', 'docs/b.txt']]]);
    expect(summary(matchRules(tree, [docs], { disable: ['docs/docs-dir'] }))).toEqual([['docs/markdown', ['README.md', 'docs/a.md']]]);
    expect(matchRules(tree, [docs], { disable: ['docs'] })).toEqual([]);
    expect(compileRules([docs], { disable: ['markdown', 'nope', 'docs/nope'] }).unknownDisable).toEqual(['nope', 'docs/nope']);
  });

  it('returns no candidate for a rule that matches nothing', () => {
    expect(matchRules(tree, [set('none', rule('none', { globs: ['**/*.zip'] }))])).toEqual([]);
  });
});

describe('matchRules: criteria', () => {
  it('requires every criterion: kinds, packages, minBytes, excludeGlobs', () => {
    const tree = makeTree({
      'node_modules/a/x.js.map': { bytes: 10, kind: 'sourcemap' },
      'node_modules/a/y.js.map': { bytes: 10, kind: 'other' },
      'node_modules/b/x.js.map': { bytes: 10, kind: 'sourcemap' },
      'node_modules/a/big.bin': 5_000,
      'node_modules/a/small.bin': 50,
      'node_modules/a/keep/z.js.map': { bytes: 10, kind: 'sourcemap' },
    });
    const rules = set(
      's',
      rule('maps-of-a', { scope: 'npm-package', globs: ['**/*.js.map'], kinds: ['sourcemap'], packages: ['a'], excludeGlobs: ['keep/**'] }),
      rule('big', { globs: ['**/*.bin'], minBytes: 1_000 }),
    );
    const candidates = matchRules(tree, [rules]);
    expect(summary(candidates)).toEqual([
      ['s/maps-of-a', ['node_modules/a/x.js.map']],
      ['s/big', ['node_modules/a/big.bin']],
    ]);
    expect(candidates[0]!.files[0]!.reason).toBe('matches "**/*.js.map" inside package a; package a');
  });

  it('substitutes architecture variables in globs', () => {
    const tree = makeTree({ 'bin/linux/x64/a.node': 1, 'bin/linux/arm64/a.node': 1 });
    const rules = set('s', rule('other-arch', { globs: ['bin/linux/!(${nodeArch})/**'] }));
    expect(summary(matchRules(tree, [rules], { arch: 'x86_64' }))).toEqual([['s/other-arch', ['bin/linux/arm64/a.node']]]);
    expect(summary(matchRules(tree, [rules], { arch: 'arm64' }))).toEqual([['s/other-arch', ['bin/linux/x64/a.node']]]);
  });

  it('counts zip entries for the zip saving: compressed data (or the size when the scan has none) plus headers', () => {
    const tree = makeTree({ 'a.md': 100, 'b.md': { bytes: 40, compressedBytes: 30 } });
    tree[0]!.compressedBytes = undefined;
    const [candidate] = matchRules(tree, [set('s', rule('md', { globs: ['*.md'] }))]);
    // (30 + 4 + 100 + 46 + 4) for a.md stored, (30 + 4 + 30 + 46 + 4) for b.md deflated.
    expect(candidate).toMatchObject({ bytes: 140, zippedBytes: 298 });
    expect(candidate!.files).toEqual([
      { path: 'a.md', bytes: 100, reason: 'matches "*.md"' },
      { path: 'b.md', bytes: 40, compressedBytes: 30, reason: 'matches "*.md"' },
    ]);
  });

  it('selects native binaries by header, not by name', () => {
    const tree = makeTree({
      'a/linux-x64.so': { native: elf('linux', 'x64', 'glibc') },
      'a/linux-x64-nolibc.node': { native: elf('linux', 'x64') },
      'a/linux-arm64.so': { native: elf('linux', 'arm64', 'glibc') },
      'a/musl.so': { native: elf('linux', 'x64', 'musl') },
      'a/mac.dylib': { native: elf('darwin', 'arm64') },
      'a/win.node': { native: elf('win32', 'x64') },
      'a/mystery.so': { native: elf('unknown', 'unknown') },
      'a/not-a-binary.so': 10,
    });
    const rules = [set('n', rule('foreign', { predicates: [{ native: 'foreign-platform' }] }), rule('target', { predicates: [{ native: 'target-platform' }] }))];
    expect(summary(matchRules(tree, rules, { arch: 'x86_64' }))).toEqual([
      ['n/foreign', ['a/linux-arm64.so', 'a/mac.dylib', 'a/musl.so', 'a/win.node']],
      ['n/target', ['a/linux-x64-nolibc.node', 'a/linux-x64.so']],
    ]);
    expect(summary(matchRules(tree, rules, { arch: 'arm64' }))[0]![1]).toEqual(['a/linux-x64-nolibc.node', 'a/linux-x64.so', 'a/mac.dylib', 'a/musl.so', 'a/win.node']);
    expect(nativeVerdict(elf('darwin', 'arm64'), 'arm64').reason).toBe('MACHO binary for darwin-arm64; the target is linux-arm64-glibc, which cannot load it');
  });

  it('matches top-level Python names inside Python roots only', () => {
    const tree = makeTree({
      'python/lib/python3.11/site-packages/boto3/session.py': 1,
      'python/lib/python3.11/site-packages/botocore-1.34.dist-info/RECORD': 1,
      'python/lib/python3.11/site-packages/requests/boto.py': 1,
      'node_modules/boto3/index.js': 1,
    });
    const rules = set('p', rule('boto', { scope: 'python-root', predicates: [{ pythonTopLevel: ['boto*'] }] }));
    expect(summary(matchRules(tree, [rules]))).toEqual([
      ['p/boto', ['python/lib/python3.11/site-packages/boto3/session.py', 'python/lib/python3.11/site-packages/botocore-1.34.dist-info/RECORD']],
    ]);
  });
});

describe('matchRules: duplicates', () => {
  const dedupe = set('dedupe', rule('dupes', { predicates: [{ duplicate: true }] }, 'caution'));

  it('keeps the shortest, then lexicographically first copy of each group, and skips empty files and symlinks', () => {
    const tree = makeTree({
      'b/lib.so': { bytes: 100, hash: 'h1' },
      'a/lib.so': { bytes: 100, hash: 'h1' },
      'deep/er/lib.so': { bytes: 100, hash: 'h1' },
      'x/empty': { bytes: 0, hash: 'e' },
      'y/empty': { bytes: 0, hash: 'e' },
      'link.so': { bytes: 0, symlinkTarget: 'a/lib.so' },
      'unique.so': { bytes: 100, hash: 'h2' },
    });
    const [candidate] = matchRules(tree, [dedupe]);
    expect(candidate!.files.map((f) => f.path)).toEqual(['b/lib.so', 'deep/er/lib.so']);
    expect(candidate!.files[0]!.reason).toBe('identical to a/lib.so (sha256 h1…), which stays');
  });

  it('prefers a kept file as the copy that stays', () => {
    const tree = makeTree({ 'a.so': { bytes: 9, hash: 'h' }, 'keep/me.so': { bytes: 9, hash: 'h' } });
    expect(summary(matchRules(tree, [dedupe], { keep: ['keep/**'] }))).toEqual([['dedupe/dupes', ['a.so']]]);
  });

  it('never keeps a copy that another rule removes, whatever the rule order', () => {
    // d/x.so is the shortest path, so a naive dedupe would keep exactly the copy docs removes.
    const tree = makeTree({ 'd/x.so': { bytes: 9, hash: 'h' }, 'bb/x.so': { bytes: 9, hash: 'h' }, 'zz/long/x.so': { bytes: 9, hash: 'h' } });
    const docs = set('docs', rule('docs', { globs: ['d/**'] }));
    for (const order of [[dedupe, docs], [docs, dedupe]]) {
      const candidates = matchRules(tree, order);
      const removed = candidates.flatMap((c) => c.files.map((f) => f.path)).sort();
      expect(removed).toEqual(['d/x.so', 'zz/long/x.so']);
      // Applying only the dedupe candidate still leaves a copy.
      expect(candidates.find((c) => c.ruleId === 'dupes')!.files.map((f) => f.path)).toEqual(['zz/long/x.so']);
    }
  });

  it('findRedundantCopies is deterministic for any input order', () => {
    const files = makeTree({ 'b.x': { bytes: 1, hash: 'h' }, 'a.x': { bytes: 1, hash: 'h' }, 'c.x': { bytes: 1, hash: 'h' } });
    const byPath = (m: ReturnType<typeof findRedundantCopies>) => [...m].map(([f, copy]) => [f.path, copy.keeper]).sort();
    const forward = findRedundantCopies(files, () => false);
    expect(byPath(forward)).toEqual([
      ['b.x', 'a.x'],
      ['c.x', 'a.x'],
    ]);
    expect(byPath(findRedundantCopies([...files].reverse(), () => false))).toEqual(byPath(forward));
  });
});
