import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../../../src/core/config/config-schema.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { loadRuleSets } from '../../../src/core/rules/load-rule-sets.js';
import { matchRules } from '../../../src/core/rules/match-rules.js';
import type { FileEntry } from '../../../src/core/scan/bundle-index.js';

/** `options.json` of a golden case. */
interface CaseOptions {
  /** What the case shows. */
  description: string;
  /** Rule sets: built-in names or paths relative to the case folder. */
  ruleSets: string[];
  arch?: Architecture;
  keep?: string[];
  drop?: string[];
  disable?: string[];
}

// Golden cases, nft style: fixtures/rules/<case>/{input.json, options.json, expected.json}.
// Set LAMBDAFIT_UPDATE_GOLDEN=1 to rewrite expected.json after a deliberate change, then review the diff.
const root = join(packageRoot(), 'fixtures', 'rules');
const cases = readdirSync(root).filter((name) => existsSync(join(root, name, 'options.json')));
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('golden rule cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(root, name);
      const options = readJson<CaseOptions>(join(dir, 'options.json'));
      const { files } = readJson<{ files: FileEntry[] }>(join(dir, 'input.json'));
      const loaded = await loadRuleSets(options.ruleSets, { baseDir: dir });
      expect(loaded.errors).toEqual([]);
      const candidates = matchRules(files, loaded.ruleSets, {
        arch: options.arch ?? 'x86_64',
        keep: options.keep ?? [],
        drop: options.drop ?? [],
        disable: options.disable ?? [],
      });
      const actual = {
        candidates: candidates.map((c) => ({
          ruleSet: c.ruleSet,
          ruleId: c.ruleId,
          risk: c.risk,
          bytes: c.bytes,
          zippedBytes: c.zippedBytes,
          files: c.files.map((f) => ({ path: f.path, reason: f.reason })),
        })),
      };
      const expectedPath = join(dir, 'expected.json');
      if (process.env.LAMBDAFIT_UPDATE_GOLDEN === '1') writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(readJson(expectedPath));
    });
  }
});
