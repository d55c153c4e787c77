import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { ensureDemoBundle } from '../../../src/core/demo/ensure-demo-bundle.js';
import { fitBundle } from '../../../src/core/fit/fit-bundle.js';
import { validateFitPlan } from '../../../src/core/plan/fit-plan-schema.js';

const dir = mkdtempSync(join(tmpdir(), 'lambdafit-fit-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fit on the demo bundle', () => {
  it('--target zip-s3 produces a verified plan that fits, and catches a rule that breaks onnxruntime-common', async () => {
    // A private copy, so the test does not depend on (or race with) the shared .demo folder.
    const demo = await ensureDemoBundle({ dir: join(dir, 'bundle') });
    const loaded = await loadConfig(demo.dir);
    // A wrong rule, as users write them: "dist/ is build output, drop it" deletes the package's code.
    const breaking = join(dir, 'breaking.json');
    writeFileSync(
      breaking,
      JSON.stringify({
        id: 'demo-breaking',
        description: 'Deletes onnxruntime-common JavaScript (wrong on purpose).',
        rules: [{ id: 'ort-common-dist', description: 'onnxruntime-common dist JS', risk: 'safe', match: { scope: 'npm-package', packages: ['onnxruntime-common'], globs: ['dist/**/*.js'] }, explanation: 'Wrong on purpose.' }],
      }),
    );
    const config = { ...loaded.config, rules: { ...loaded.config.rules, use: [...(loaded.config.rules?.use ?? ['node-safe', 'native-foreign']), breaking] } };
    const { plan, verifications, elapsedMs } = await fitBundle({ path: demo.dir, config, configDir: demo.dir, target: 'zip-s3' });
    if (process.env.LAMBDAFIT_FIT_DEMO_DUMP) writeFileSync(process.env.LAMBDAFIT_FIT_DEMO_DUMP, JSON.stringify({ verifications, elapsedMs, plan }, null, 2));
    validateFitPlan(JSON.parse(JSON.stringify(plan)), 'plan');
    expect(plan.input.sizes.fits).toBe(false);
    expect(plan.chosen).not.toBeNull();
    expect(plan.predicted.fits).toBe(true);
    expect(plan.predicted.unzippedBytes).toBeLessThan(262_144_000);
    expect(plan.verification.final.passed).toBe(true);
    expect(plan.verification.final.initDurationMs).not.toBeNull();
    const kinds = plan.steps.map((s) => (s.kind === 'prune' ? s.ruleSet : s.kind));
    expect(kinds).toContain('native-foreign');
    expect(kinds).toContain('node-safe');
    const q = plan.steps.find((s) => s.kind === 'quantize');
    expect(q).toMatchObject({ modelPath: 'model/model.onnx', mode: 'int8' });
    expect(q!.kind === 'quantize' && q!.accuracy.cosine).toBeGreaterThan(0.99);
    const keep = plan.steps.find((s) => s.kind === 'keep' && s.ruleId === 'ort-common-dist');
    expect(keep?.kind === 'keep' && keep.files.length).toBeGreaterThan(0);
    expect(keep?.kind === 'keep' && keep.files.every((f) => f.startsWith('node_modules/onnxruntime-common/dist/'))).toBe(true);
    expect(keep?.kind === 'keep' && keep.evidence.failure).toMatch(/onnxruntime-common|Cannot find module|ImportModuleError/);
    // The rest of the wrong rule (JS nobody loads, e.g. the ESM build) still goes.
    const rest = plan.steps.find((s) => s.kind === 'prune' && s.ruleId === 'ort-common-dist');
    expect(rest?.kind === 'prune' && rest.files.length).toBeGreaterThan(0);
    // The baseline row is in the table, measured, and rejected for size.
    const baseline = plan.alternatives.find((a) => a.id === 'baseline')!;
    expect(baseline.rejected.find((r) => r.startsWith('does not fit zip-s3:'))).toMatch(/\d/); // with the numbers
    expect(baseline.measured.initDurationMs).not.toBeNull();
    expect(verifications).toBeGreaterThanOrEqual(5);
    // The model-from-S3 alternative is measured whenever there is a model, so the trade-off shows.
    const fromS3 = plan.alternatives.find((a) => a.id === 'model-from-s3')!;
    expect(fromS3.measured.passed).toBe(true);
    expect(fromS3.measured.fetchedBytes).toBeGreaterThan(0);
  }, 600_000);

  it('--target zip-direct fits by fetching the quantized model from the object store at init', async () => {
    const demo = await ensureDemoBundle({ dir: join(dir, 'bundle') });
    const { config } = await loadConfig(demo.dir);
    const { plan } = await fitBundle({ path: demo.dir, config, configDir: demo.dir, target: 'zip-direct' });
    validateFitPlan(JSON.parse(JSON.stringify(plan)), 'plan');
    expect(plan.chosen).not.toBeNull();
    expect(plan.predicted.zippedBytes).toBeLessThan(52_428_800);
    const placement = plan.steps.find((s) => s.kind === 'placement');
    expect(placement?.kind === 'placement' && placement.strategy).toBe('model-from-s3');
    const q = plan.steps.find((s) => s.kind === 'quantize');
    // The object carries the quantized bytes, and the measured cold start fetched exactly them.
    expect(placement?.kind === 'placement' && placement.objects[0]).toMatchObject({ from: ['model/model.onnx'], format: 'file', hash: q?.kind === 'quantize' ? q.outputHash : '' });
    expect(plan.verification.final.fetchedBytes).toBe(placement?.kind === 'placement' ? placement.objects[0]!.bytes : -1);
    expect(plan.verification.final.passed).toBe(true);
    // Dependencies to /tmp and layers were measured too; /tmp use is recorded.
    const deps = plan.alternatives.find((a) => a.id === 'deps-to-tmp')!;
    expect(deps.measured.passed).toBe(true);
    expect(deps.measured.tmpPeakBytes).toBeGreaterThan(1_000_000);
    expect(plan.alternatives.find((a) => a.id === 'layers')?.measured.passed).toBe(true);
  }, 600_000);
});
