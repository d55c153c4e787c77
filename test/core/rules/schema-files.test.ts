import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/core/package-root.js';
import { schemaFiles } from '../../../src/core/rules/schema-files.js';

describe('generated JSON Schema files', () => {
  it('are up to date with the zod schemas (run `npx tsx scripts/generate-schema.ts` if not)', async () => {
    const files = schemaFiles();
    expect(files.map((f) => f.path)).toEqual(['rules/schema.json', 'lambdafit.schema.json']);
    for (const file of files) {
      const committed = await readFile(join(packageRoot(), file.path), 'utf8');
      expect(committed, `${file.path} is stale`).toBe(file.text);
    }
  });

  it('describe the rule-set format editors need: strict objects, risks, scopes and predicates', () => {
    const schema = JSON.parse(schemaFiles()[0]!.text);
    const rule = schema.properties.rules.items;
    expect(schema.additionalProperties).toBe(false);
    expect(rule.properties.risk.enum).toEqual(['safe', 'caution', 'danger']);
    expect(rule.properties.match.properties.scope.enum).toEqual(['bundle', 'npm-package', 'python-root']);
    const predicate = rule.properties.match.properties.predicates.items;
    expect(Object.keys(predicate.properties)).toEqual(['native', 'duplicate', 'pythonTopLevel']);
    expect(predicate.additionalProperties).toBe(false);
    const config = JSON.parse(schemaFiles()[1]!.text);
    expect(config.properties.memorySize).toMatchObject({ minimum: 128, maximum: 10240 });
  });
});
