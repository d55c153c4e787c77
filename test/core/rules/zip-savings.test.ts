import { describe, expect, it } from 'vitest';
import { applyCandidates } from '../../../src/core/rules/apply-candidates.js';
import { loadRuleSets } from '../../../src/core/rules/load-rule-sets.js';
import { matchRules } from '../../../src/core/rules/match-rules.js';
import { zipDirectoryEntryBytes, zipEntryBytes } from '../../../src/core/rules/zip-savings.js';
import { predictZipBytes } from '../../../src/core/scan/predict-zip-bytes.js';
import { elf, makeTree } from './tree-builder.js';

describe('candidate zippedBytes', () => {
  it('is exactly what the predicted lambdafit zip loses when the candidate alone is applied', async () => {
    const tree = makeTree({
      'index.js': 900,
      'node_modules/a/README.md': 4_000,
      'node_modules/a/lib/index.js': 2_000,
      'node_modules/a/lib/index.js.map': { bytes: 3_000, compressedBytes: 1_100 },
      'node_modules/a/test/only-tests/t1.js': 700,
      'node_modules/a/test/only-tests/t2.js': 700,
      'node_modules/a/test/fixtures/é-data.json': 700,
      'node_modules/b/CHANGELOG.md': { bytes: 10_000, compressedBytes: undefined },
      'node_modules/.bin/b': { bytes: 0, symlinkTarget: '../b/cli.js' },
      'node_modules/b/cli.js': 100,
      'node_modules/ort/bin/napi-v6/darwin/arm64/x.dylib': { bytes: 50_000, native: elf('darwin', 'arm64') },
    });
    const { ruleSets } = await loadRuleSets(['node-safe', 'native-foreign']);
    const candidates = matchRules(tree, ruleSets);
    expect(candidates.length).toBeGreaterThanOrEqual(4);
    const before = predictZipBytes(tree);
    for (const candidate of candidates) {
      const { kept } = applyCandidates(tree, [candidate]);
      expect([candidate.ruleId, candidate.zippedBytes]).toEqual([candidate.ruleId, before - predictZipBytes(kept)]);
    }
  });

  it('counts headers, the name twice and the stored data', () => {
    expect(zipEntryBytes({ path: 'a/b.txt', bytes: 100, compressedBytes: 40 })).toBe(30 + 7 + 40 + 46 + 7);
    expect(zipEntryBytes({ path: 'é', bytes: 10 })).toBe(30 + 2 + 10 + 46 + 2);
    expect(zipEntryBytes({ path: 'l', bytes: 0, symlinkTarget: 'target' })).toBe(30 + 1 + 6 + 46 + 1);
    expect(zipDirectoryEntryBytes('a/b')).toBe(30 + 4 + 46 + 4);
  });
});
