import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/package-root.js';
import { compileGlob, globMatches, splitSegments } from '../../../src/core/rules/compile-glob.js';
import { createGlobMatcher } from '../../../src/core/rules/glob-matcher.js';
import { expandGlobVariables } from '../../../src/core/rules/glob-variables.js';
import type { RuleSet } from '../../../src/core/rules/schema.js';
import { indexTreePaths } from '../../../src/core/rules/index-tree-paths.js';
import { makeTree } from './tree-builder.js';

const PATHS = [
  'index.js',
  'README.md',
  'test',
  'test/a.js',
  'tests/deep/x/y.spec.ts',
  'lib/test/helper.js',
  'lib/testing/x.js',
  '.github/workflows/ci.yml',
  'docs/api/notes.txt',
  'dist/doc/Document.js',
  'doc',
  'a/b/c/d/e.d.ts',
  'x.d.ts',
  'x.ts',
  'lodash.map/index.js',
  'index.js.map',
  'style.css.map',
  'LICENSE',
  'license.md',
  'lib/licensemanager.js',
  'LICENSE-MIT',
  'bin/napi-v6/linux/arm64/libonnxruntime.so.1',
  'bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'bin/napi-v6/darwin/arm64/x.dylib',
  'prebuilds/linux-x64/node.napi.musl.node',
  'prebuilds/darwin-x64+arm64/node.napi.node',
  'build/Release/obj.target/binding.node',
  'build/Release/binding.node',
  'build/Release/.deps/x.o.d',
  'numpy/_core/include/numpy/x.h',
  'numpy-1.26.dist-info/METADATA',
  'foo.egg-info',
  'x.cpython-311-aarch64-linux-gnu.so',
  'y.cpython-311-x86_64-linux-gnu.so',
  'man/man1/npm.1',
  'assets/logo.png',
  'logo.PNG',
  'Foo.dSYM/Contents/x',
];

function builtInGlobs(): string[] {
  const dir = join(packageRoot(), 'rules');
  const globs = new Set<string>(['**', '*', 'a/**/b', '{a/b,c}/**', '**/x**', 'lib/*/test/**', '**/*.js']);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && n !== 'schema.json')) {
    const set = JSON.parse(readFileSync(join(dir, name), 'utf8')) as RuleSet;
    for (const rule of set.rules) for (const g of [...(rule.match.globs ?? []), ...(rule.match.excludeGlobs ?? [])]) globs.add(g);
  }
  return [...globs].map((g) => expandGlobVariables(g, 'x86_64'));
}

describe('compileGlob', () => {
  it('agrees with picomatch on every built-in glob, reading a trailing /** as "files inside"', () => {
    let compared = 0;
    for (const glob of builtInGlobs()) {
      for (const nocase of [false, true]) {
        const reference = picomatch(glob.endsWith('/**') ? `${glob}/*` : glob, { dot: true, nocase });
        const compiled = compileGlob(glob, nocase);
        for (const path of PATHS) {
          expect([glob, nocase, path, globMatches(compiled, path)]).toEqual([glob, nocase, path, reference(path)]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(2_000);
  });

  it('never lets a folder glob match a file of the same name, unlike plain picomatch', () => {
    expect(picomatch('test/**', { dot: true })('test')).toBe(true);
    expect(globMatches(compileGlob('test/**'), 'test')).toBe(false);
    expect(globMatches(compileGlob('test/**'), 'test/a.js')).toBe(true);
    expect(globMatches(compileGlob('**/doc/**'), 'dist/doc')).toBe(false);
    expect(globMatches(compileGlob('**/doc/**'), 'dist/doc/x.js')).toBe(true);
  });

  it('splits at folder separators only outside groups', () => {
    expect(splitSegments('**/{doc,docs}/**/*.{txt,rst}')).toEqual(['**', '{doc,docs}', '**', '*.{txt,rst}']);
    expect(splitSegments('bin/napi-v*/linux/!(x64)/**')).toEqual(['bin', 'napi-v*', 'linux', '!(x64)', '**']);
    expect(splitSegments('{a/b,c}/x')).toBeUndefined();
    expect(compileGlob('{a/b,c}/x').shape).toBe('full');
    expect(compileGlob('**/*.md').shape).toBe('split');
  });
});

describe('createGlobMatcher', () => {
  it('gives the same answers as one-off tests and names the first matching glob', () => {
    const tree = makeTree(Object.fromEntries(PATHS.map((p) => [p, 1])));
    const index = indexTreePaths(tree);
    const globs = ['**/*.md', '{test,tests}/**', '**/{a/b,c}/x', 'x.*', 'bin/napi-v*/linux/!(x64)/**'];
    const compiled = globs.map((g) => compileGlob(g));
    const matcher = createGlobMatcher(compiled, index);
    // Twice: the second pass reads the memo tables.
    for (let pass = 0; pass < 2; pass++) {
      tree.forEach(({ path }, i) => {
        const dirId = index.dirIds[i]!;
        const expected = compiled.find((c) => globMatches(c, path))?.glob;
        const nameStart = index.nameStarts[i]!;
        const got = matcher.match(dirId, matcher.classifier.matchingIds(path, nameStart), path, nameStart, index.dirs[dirId]!);
        expect([path, got]).toEqual([path, expected]);
      });
    }
  });

  it('handles more than 31 globs in one list', () => {
    const globs = Array.from({ length: 40 }, (_, i) => `**/file${i}.txt`);
    const tree = makeTree({ 'a/file39.txt': 1, 'a/file3.txt': 1, 'a/other.txt': 1 });
    const index = indexTreePaths(tree);
    const matcher = createGlobMatcher(globs.map((g) => compileGlob(g)), index);
    const matchAt = (i: number) => {
      const [path, nameStart] = [tree[i]!.path, index.nameStarts[i]!];
      return matcher.match(index.dirIds[i]!, matcher.classifier.matchingIds(path, nameStart), path, nameStart, index.dirs[index.dirIds[i]!]!);
    };
    expect(tree.map((_, i) => matchAt(i))).toEqual(['**/file39.txt', '**/file3.txt', undefined]);
    expect(matcher.masks).toBeUndefined();
  });
});

describe('createGlobMatcher against picomatch', () => {
  it('matches exactly what picomatch matches, built-in globs and globs whose text is not literal', () => {
    // Brace ranges, POSIX classes and repeated extglobs: picomatch's regex for them is not what
    // their text suggests (it leaves some dots unescaped), so a matcher must ask the regex.
    const quirks = ['**/{1..3}x.md', '**/[[:alpha:]]x.md', '**/*(a).md', '**/+(a|b).md', '**/*.{1..2}', 'lib{1..2}/**/*.js', '**/[[:digit:]]*/*.js'];
    const quirkPaths = ['1x.md', '1xzmd', '4x.md', 'bx.md', 'bxzmd', '1x.mdx', 'aa.md', 'aazmd', '.md', 'ab.md', 'x.1', 'x.2', 'x.3', 'lib1/a/b.js', 'lib3/a/b.js', 'lib1x/b.js', 'd/7up/x.js', 'd/up/x.js'];
    const tree = makeTree(Object.fromEntries([...quirkPaths, ...PATHS].map((p) => [p, 1])));
    const index = indexTreePaths(tree);
    for (const glob of [...quirks, ...builtInGlobs()]) {
      for (const nocase of [false, true]) {
        const reference = picomatch(glob.endsWith('/**') ? `${glob}/*` : glob, { dot: true, nocase });
        const matcher = createGlobMatcher([compileGlob(glob, nocase)], index);
        tree.forEach(({ path }, i) => {
          const dirId = index.dirIds[i]!;
          const nameStart = index.nameStarts[i]!;
          const got = matcher.match(dirId, matcher.classifier.matchingIds(path, nameStart), path, nameStart, index.dirs[dirId]!) !== undefined;
          expect([glob, nocase, path, got]).toEqual([glob, nocase, path, reference(path)]);
        });
      }
    }
  });
});
