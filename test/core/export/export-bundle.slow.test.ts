import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/load-config.js';
import { predictStateSizes } from '../../../src/core/fit/predict-state-sizes.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';
import { fitBundle } from '../../../src/core/fit/fit-bundle.js';
import { packageRoot } from '../../../src/core/package-root.js';
import type { FitPlan } from '../../../src/core/plan/fit-plan.js';
import { writeFitPlan } from '../../../src/core/plan/write-fit-plan.js';
import { runCli } from '../../helpers/run-cli.js';
import { planFor } from '../plan/plan-for.js';

const fixture = join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule');
let dir: string;
let bundle: string;
let plan: FitPlan;
let planPath: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-export-slow-'));
  bundle = join(dir, 'bundle');
  cpSync(fixture, bundle, { recursive: true });
  const { config } = await loadConfig(bundle);
  plan = (await fitBundle({ path: bundle, config, configDir: bundle, cacheDir: false })).plan;
  planPath = join(dir, 'plan.json');
  await writeFitPlan(planPath, plan);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportBundle with the cold start of the written zip', () => {
  it('exports the fitted plan and cold-starts the zip itself, answering like the baseline', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['export', bundle, '--plan', planPath, '--out', out, '--json'], { env: { LAMBDAFIT_CACHE_DIR: join(dir, 'cache') } });
    expect(r.stderr).toMatch(/Cold-starting the exported zip/);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('exported');
    const v = doc.manifest.measurements.export;
    expect(v).toMatchObject({ passed: true, comparedWithGolden: true, invocations: plan.verification.baseline.invocations, mismatches: [] });
    expect(v.initDurationMs).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).measurements.export.passed).toBe(true);
    expect(readFileSync(join(out, 'function.zip')).length).toBe(plan.predicted.zippedBytes);
  }, 120_000);

  it('does not publish a zip that fails its cold start (exit 3), and names the failure', async () => {
    // A hand-edited plan that also removes a file bisection said the function needs.
    const broken: FitPlan = JSON.parse(JSON.stringify(plan));
    broken.steps = broken.steps.filter((s) => s.kind !== 'keep');
    broken.steps.push({ kind: 'prune', ruleId: 'hand-edit', ruleSet: 'test', risk: 'danger', description: 'edited by hand', files: [{ path: 'node_modules/greeter/lib/format.js', bytes: 62 }], bytes: 62 });
    const { config } = await loadConfig(bundle);
    const { failed: _f, ...predicted } = predictStateSizes(await scanBundle({ path: bundle, cacheDir: false }), broken.steps, 'zip-s3', config);
    broken.predicted = predicted;
    const out = join(dir, 'broken-out');
    const r = await runCli(['export', bundle, '--plan', await writePlan(broken, 'broken'), '--out', out], { env: { LAMBDAFIT_CACHE_DIR: join(dir, 'cache') } });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/NOT EXPORTED: the exported zip failed its cold start/);
    expect(r.stdout).toMatch(/Cannot find module|ImportModuleError/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('does not publish an artifact that does not fit the target (exit 1), and names the limit', async () => {
    const big = join(dir, 'big');
    cpSync(fixture, big, { recursive: true });
    // One byte over the 262,144,000 B unzipped limit, as a sparse file of zeros (cheap to deflate).
    writeFileSync(join(big, 'padding.bin'), '');
    truncateSync(join(big, 'padding.bin'), 262_144_001);
    const out = join(dir, 'big-out');
    const r = await runCli(['export', big, '--out', out, '--json'], { env: { LAMBDAFIT_CACHE_DIR: join(dir, 'cache') } });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.status).toBe('does-not-fit');
    expect(doc.failed[0]).toMatch(/^Unzipped .*: 262,14\d,\d{3} bytes used, limit 262,144,000$/);
    expect(doc.manifest.measurements.export).toBeNull();
    expect(existsSync(out)).toBe(false);
  }, 300_000);

  it('writes the objects a placement fetches, serves them to the cold start, and wires the bucket in the template', async () => {
    const fn = join(dir, 'objects-fn');
    mkdirSync(join(fn, 'data'), { recursive: true });
    writeFileSync(
      join(fn, 'index.js'),
      `const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const client = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
const ready = client.send(new GetObjectCommand({ Bucket: process.env.LAMBDAFIT_BUCKET, Key: 'data/greeting.txt' })).then((o) => o.Body.transformToString());
exports.handler = async () => ({ greeting: await ready });
`,
    );
    const greeting = 'hello from the object store';
    writeFileSync(join(fn, 'data', 'greeting.txt'), greeting);
    writeFileSync(join(fn, 'lambdafit.json'), JSON.stringify({ runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 512, timeout: 20 }));
    const hash = createHash('sha256').update(greeting).digest('hex');
    const placed = await planFor(
      fn,
      [
        {
          kind: 'placement',
          strategy: 'model-from-s3',
          description: 'data/greeting.txt is fetched from S3 at init',
          moved: [{ path: 'data/greeting.txt', bytes: greeting.length }],
          added: [],
          objects: [{ key: 'data/greeting.txt', from: ['data/greeting.txt'], format: 'file', bytes: greeting.length, hash }],
          layers: [],
          environment: { LAMBDAFIT_BUCKET: 'lambdafit-export-test' },
        },
      ],
      { memorySize: 512, events: ['(empty event)'] },
    );
    placed.verification.golden = [{ greeting }, { greeting }];
    const out = join(dir, 'objects-out');
    const r = await runCli(['export', fn, '--plan', await writePlan(placed, 'objects'), '--out', out, '--json'], { env: { LAMBDAFIT_CACHE_DIR: join(dir, 'cache') } });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).manifest;
    expect(readFileSync(join(out, 'objects', 'data', 'greeting.txt'), 'utf8')).toBe(greeting);
    expect(m.artifacts.objects).toEqual([{ key: 'data/greeting.txt', file: 'objects/data/greeting.txt', bytes: greeting.length, sha256: hash }]);
    expect(m.measurements.export).toMatchObject({ passed: true, comparedWithGolden: true });
    expect(m.measurements.export.objectFetches).toEqual([expect.objectContaining({ key: 'data/greeting.txt', bytes: greeting.length })]);
    expect(execFileSync('unzip', ['-Z1', join(out, 'function.zip')]).toString().split('\n')).not.toContain('data/greeting.txt');
    const template = readFileSync(join(out, 'template.yaml'), 'utf8');
    expect(template).toMatch(/ObjectsBucket:\n\s+Type: String\n\s+Default: "lambdafit-export-test"/);
    expect(template).toMatch(/LAMBDAFIT_BUCKET: !Ref ObjectsBucket/);
    expect(readFileSync(join(out, 'deploy.sh'), 'utf8')).toMatch(/aws s3 cp 'objects\/data\/greeting\.txt' "s3:\/\/\$BUCKET\/"'data\/greeting\.txt'/);
  }, 120_000);

  it('writes the layers a placement creates in the /opt layout, and the function finds its dependency there', async () => {
    const libs = ['README.md', 'CHANGELOG.md', 'package.json', 'lib/index.js', 'lib/format.js', 'lib/unused-a.js', 'lib/unused-b.js', 'lib/unused-c.js', 'test/greeter.test.js'];
    const files = libs.map((f) => ({ from: `node_modules/greeter/${f}`, to: `nodejs/node_modules/greeter/${f}` }));
    const layered = await planFor(
      bundle,
      [
        {
          kind: 'placement',
          strategy: 'layers',
          description: 'node_modules goes to a layer',
          moved: files.map((f) => ({ path: f.from, bytes: 1 })),
          added: [],
          objects: [],
          layers: [{ name: 'deps', files, unzippedBytes: 0, zippedBytes: 0 }],
          environment: {},
        },
      ],
      { events: plan.events, verification: plan.verification },
    );
    const out = join(dir, 'layers-out');
    const r = await runCli(['export', bundle, '--plan', await writePlan(layered, 'layers'), '--out', out, '--json'], { env: { LAMBDAFIT_CACHE_DIR: join(dir, 'cache') } });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).manifest;
    expect(m.measurements.export).toMatchObject({ passed: true, comparedWithGolden: true });
    expect(m.artifacts.layers).toEqual([expect.objectContaining({ name: 'deps', file: 'layers/deps.zip' })]);
    const layerEntries = execFileSync('unzip', ['-Z1', join(out, 'layers', 'deps.zip')]).toString().trim().split('\n');
    expect(layerEntries).toContain('nodejs/node_modules/greeter/lib/index.js');
    expect(execFileSync('unzip', ['-Z1', join(out, 'function.zip')]).toString()).not.toMatch(/node_modules/);
    expect(readFileSync(join(out, 'template.yaml'), 'utf8')).toMatch(/DepsLayer:[\s\S]*ContentUri: "layers\/deps\.zip"[\s\S]*Layers:\n\s+- !Ref DepsLayer/);
  }, 120_000);
});

async function writePlan(p: FitPlan, name: string): Promise<string> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(p));
  return path;
}
