import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportManifest } from '../../src/core/export/export-manifest.js';
import type { FitPlan } from '../../src/core/plan/fit-plan.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lambdafit-demo-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start (lambdafit demo)', () => {
  it('ends by exporting the fitted demo next to the bundle, re-verified, and says how to deploy it', async () => {
    // A private demo folder, so the test does not race with the shared .demo one.
    const r = await runCli(['demo', '--dir', join(dir, 'bundle')], { timeoutMs: 900_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Step 5 · lambdafit export/);
    expect(r.stdout).toMatch(/EXPORTED .*bundle → .*export/);
    expect(r.stdout).toMatch(/sam deploy --guided --template-file template\.yaml/);
    const out = join(dir, 'export');
    expect(readdirSync(out).sort()).toEqual(['deploy.sh', 'function.zip', 'manifest.json', 'template.yaml']);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as FitPlan;
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ExportManifest;
    const zip = readFileSync(join(out, 'function.zip'));
    expect(zip.length).toBe(plan.predicted.zippedBytes);
    expect(manifest.artifacts.function.bytes).toBe(zip.length);
    expect(manifest.quantization).toEqual([expect.objectContaining({ modelPath: 'model/model.onnx', variant: 'int8', source: 'cache' })]);
    expect(manifest.measurements.export).toMatchObject({ passed: true, comparedWithGolden: true });
    expect(manifest.fits).toBe(true);
    expect(execFileSync('unzip', ['-tq', join(out, 'function.zip')]).toString()).toMatch(/No errors detected/);
  }, 900_000);
});
