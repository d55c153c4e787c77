import { describe, expect, it } from 'vitest';
import { fitsTarget } from '../../../src/core/limits/fits-target.js';
import { measureLimits } from '../../../src/core/limits/measure-limits.js';
import { applyCandidates } from '../../../src/core/rules/apply-candidates.js';
import { loadRuleSets } from '../../../src/core/rules/load-rule-sets.js';
import { matchRules } from '../../../src/core/rules/match-rules.js';
import { elf, makeTree } from './tree-builder.js';

const MB = 1_000_000;

describe('applyCandidates', () => {
  const tree = makeTree({
    'index.js': 1_000,
    'node_modules/onnxruntime-node/dist/index.js': 10_000,
    'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1': { bytes: 21 * MB, native: elf('linux', 'x64', 'glibc') },
    'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1': { bytes: 20 * MB, native: elf('linux', 'arm64', 'glibc') },
    'node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.dylib': { bytes: 40 * MB, native: elf('darwin', 'arm64') },
    'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll': { bytes: 100 * MB, native: elf('win32', 'x64') },
    'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.pdb': 90 * MB,
    'node_modules/onnxruntime-node/README.md': 5_000,
    'model/model.onnx': 30 * MB,
  });

  it('splits the tree into kept and removed files, in tree order, with the deciding rule', async () => {
    const { ruleSets } = await loadRuleSets(['node-safe', 'native-foreign']);
    const candidates = matchRules(tree, ruleSets);
    const { kept, removed } = applyCandidates(tree, candidates);
    expect(kept.map((f) => f.path)).toEqual([
      'index.js',
      'node_modules/onnxruntime-node/dist/index.js',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'model/model.onnx',
    ]);
    expect(removed.map((r) => [r.path, r.ruleId, r.risk])).toEqual([
      ['node_modules/onnxruntime-node/bin/napi-v6/linux/arm64/libonnxruntime.so.1', 'foreign-binaries', 'safe'],
      ['node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.dylib', 'foreign-binaries', 'safe'],
      ['node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll', 'foreign-binaries', 'safe'],
      ['node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.pdb', 'onnxruntime-node-foreign-os', 'safe'],
      ['node_modules/onnxruntime-node/README.md', 'npm-readme-changelog', 'safe'],
    ]);
    expect(removed[0]).toMatchObject({ ruleSet: 'native-foreign', bytes: 20 * MB, compressedBytes: 10 * MB });
    expect(removed[0]!.reason).toContain('linux-arm64-glibc');
    // The input is never modified.
    expect(tree).toHaveLength(9);
  });

  it('answers "does it fit after the configured rules" together with the limits model', async () => {
    const { ruleSets } = await loadRuleSets(['native-foreign']);
    const size = (files: typeof tree) => ({
      unzippedBytes: files.reduce((s, f) => s + f.bytes, 0),
      zippedBytes: files.reduce((s, f) => s + (f.compressedBytes ?? f.bytes), 0),
    });
    expect(fitsTarget(measureLimits({ code: size(tree), target: 'zip-s3' }))).toBe(false);
    const { kept } = applyCandidates(tree, matchRules(tree, ruleSets));
    expect(fitsTarget(measureLimits({ code: size(kept), target: 'zip-s3' }))).toBe(true);
  });

  it('applies any subset of candidates and credits a doubly-listed path to the first', () => {
    const candidates = matchRules(tree, [
      { id: 'a', description: 'a', rules: [{ id: 'one', description: 'd', risk: 'safe', match: { globs: ['**/*.md'] }, explanation: 'e' }] },
    ]);
    const twice = [...candidates, { ...candidates[0]!, ruleId: 'two' }];
    const { removed } = applyCandidates(tree, twice);
    expect(removed.map((r) => [r.path, r.ruleId])).toEqual([['node_modules/onnxruntime-node/README.md', 'one']]);
    expect(applyCandidates(tree, []).kept).toEqual(tree);
  });
});
