import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { SandboxError } from '../../../src/core/errors.js';
import { fitBundle } from '../../../src/core/fit/fit-bundle.js';
import { applyPlanToFiles } from '../../../src/core/plan/apply-plan-to-files.js';
import { validateFitPlan } from '../../../src/core/plan/fit-plan-schema.js';
import { hashFileTree } from '../../../src/core/plan/hash-file-tree.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';

const fixture = join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-fit-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fitBundle in the real sandbox', () => {
  it('catches a rule that deletes required JS, bisects it and records the keep-rule', async () => {
    const bundle = join(dir, 'bundle');
    cpSync(fixture, bundle, { recursive: true });
    const before = hashFileTree((await scanBundle({ path: bundle, cacheDir: false })).code.files);
    const { config } = await loadConfig(bundle);
    const result = await fitBundle({ path: bundle, config, configDir: bundle, cacheDir: false });
    const plan = validateFitPlan(JSON.parse(JSON.stringify(result.plan)), 'plan');

    const keep = plan.steps.filter((s) => s.kind === 'keep');
    expect(keep).toHaveLength(1);
    expect(keep[0]).toMatchObject({ ruleId: 'lib-folders', ruleSet: 'fixture-breaking', files: ['node_modules/greeter/lib/format.js', 'node_modules/greeter/lib/index.js'] });
    expect(keep[0]!.kind === 'keep' && keep[0]!.evidence.failure).toMatch(/Cannot find module|ImportModuleError/);
    // The rest of the breaking rule was applied, and so were the correct rules.
    const removed = plan.steps.flatMap((s) => (s.kind === 'prune' ? s.files.map((f) => f.path) : []));
    expect(removed).toEqual(expect.arrayContaining(['node_modules/greeter/lib/unused-a.js', 'node_modules/greeter/lib/unused-b.js', 'node_modules/greeter/lib/unused-c.js', 'node_modules/greeter/README.md', 'node_modules/greeter/test/greeter.test.js']));
    expect(removed).not.toContain('node_modules/greeter/lib/index.js');

    // The trace then removes what the function never opened (its config, events and rule file).
    const trace = plan.steps.find((s) => s.kind === 'prune' && s.ruleId === 'trace-unused');
    expect(trace?.kind === 'prune' && trace.files.map((f) => f.path)).toEqual(expect.arrayContaining(['lambdafit.json', 'rules/breaking.json']));
    expect(plan.chosen).toBe('traced');
    expect(plan.verification.final.passed).toBe(true);
    expect(plan.verification.baseline.invocations).toBe(3);
    expect(plan.predicted.zippedBytes).toBeLessThan(plan.input.sizes.zippedBytes);
    expect(plan.input.treeHash).toBe(before);
    const scanned = await scanBundle({ path: bundle, cacheDir: false });
    expect(hashFileTree(scanned.code.files)).toBe(before); // the input was not touched
    expect(applyPlanToFiles(scanned.code.files, plan.steps).files).toHaveLength(plan.predicted.files);
  }, 180_000);

  it('keeps the dist-info a package reads through importlib.metadata, and applies the rest of the seed recipe', async () => {
    const bundle = join(packageRoot(), 'fixtures', 'fit', 'python-seed');
    const { config } = await loadConfig(bundle);
    const { plan } = await fitBundle({ path: bundle, config, configDir: bundle, cacheDir: false });
    const keep = plan.steps.filter((s) => s.kind === 'keep');
    expect(keep).toHaveLength(1);
    expect(keep[0]).toMatchObject({ ruleId: 'python-dist-info', files: ['versioned-1.2.0.dist-info/METADATA'] });
    expect(keep[0]!.kind === 'keep' && keep[0]!.evidence.failure).toMatch(/No package metadata was found for versioned/);
    const removed = plan.steps.flatMap((s) => (s.kind === 'prune' ? s.files.map((f) => f.path) : []));
    expect(removed).toEqual(
      expect.arrayContaining([
        'versioned/__pycache__/__init__.cpython-311.pyc',
        'versioned/tests/test_greet.py',
        'pip/__init__.py',
        'other_helper.pyc',
        'other-2.0.dist-info/METADATA',
        'versioned-1.2.0.dist-info/RECORD',
      ]),
    );
    // The Python trace (audit hooks) then removes what the cold start and the events never opened.
    expect(plan.chosen).toBe('traced');
    const traced = plan.steps.filter((s) => s.kind === 'prune' && s.ruleId === 'trace-unused').flatMap((s) => (s.kind === 'prune' ? s.files.map((f) => f.path) : []));
    expect(traced).toContain('other/__init__.py');
    for (const used of ['lambda_function.py', 'other_helper.py', 'versioned/__init__.py', 'versioned-1.2.0.dist-info/METADATA']) expect(traced).not.toContain(used);
    expect(plan.verification.final.passed).toBe(true);
  }, 180_000);

  it('--target image chooses the container-image placement of the verified tree', async () => {
    const bundle = join(dir, 'image');
    cpSync(fixture, bundle, { recursive: true });
    const { config } = await loadConfig(bundle);
    const { plan } = await fitBundle({ path: bundle, config, configDir: bundle, cacheDir: false, target: 'image', maxRisk: 'safe' });
    validateFitPlan(JSON.parse(JSON.stringify(plan)), 'plan');
    expect(plan.chosen).toBe('image');
    const last = plan.steps[plan.steps.length - 1]!;
    expect(last).toMatchObject({ kind: 'placement', strategy: 'image', moved: [], added: [], objects: [] });
    expect(plan.verification.final.passed).toBe(true);
    // Zip-only placements are not tried for an image, and the other states say why they were not chosen.
    expect(plan.alternatives.map((a) => a.id)).not.toContain('deps-to-tmp');
    expect(plan.alternatives.find((a) => a.id === 'baseline')!.rejected.join(' ')).toMatch(/image target ships/);
  }, 180_000);

  it('stops with SandboxError when the unmodified bundle fails', async () => {
    const bundle = join(dir, 'broken');
    cpSync(fixture, bundle, { recursive: true });
    writeFileSync(join(bundle, 'index.js'), "exports.handler = async () => { throw new Error('baseline is broken'); };\n");
    const { config } = await loadConfig(bundle);
    const err = await fitBundle({ path: bundle, config, configDir: bundle, cacheDir: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/fails in the sandbox .*baseline is broken/);
  }, 60_000);
});
