import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot, packageVersion } from '../../src/core/package-root.js';
import type { FitPlan, PlanStep } from '../../src/core/plan/fit-plan.js';
import { scanBundle } from '../../src/core/scan/scan-bundle.js';
import type { ExportManifest } from '../../src/core/export/export-manifest.js';
import { runCli } from '../helpers/run-cli.js';
import { planFor } from '../core/plan/plan-for.js';

const fixture = join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule');
let dir: string;
let bundle: string;
let planPath: string;
let plan: FitPlan;
const env = { LAMBDAFIT_CACHE_DIR: '' };

const steps: PlanStep[] = [
  { kind: 'prune', ruleId: 'npm-readme-changelog', ruleSet: 'node-safe', risk: 'safe', description: 'READMEs and changelogs', files: [{ path: 'node_modules/greeter/README.md', bytes: 10 }, { path: 'node_modules/greeter/CHANGELOG.md', bytes: 9 }], bytes: 19 },
  { kind: 'prune', ruleId: 'lib-folders', ruleSet: 'fixture-breaking', risk: 'safe', description: 'lib folders', files: ['format', 'index', 'unused-a', 'unused-b', 'unused-c'].map((n) => ({ path: `node_modules/greeter/lib/${n}.js`, bytes: 1 })), bytes: 5 },
  { kind: 'keep', ruleId: 'lib-folders', ruleSet: 'fixture-breaking', files: ['node_modules/greeter/lib/format.js', 'node_modules/greeter/lib/index.js'], evidence: { tests: 4, failure: "Runtime.ImportModuleError: Cannot find module './format'", mismatches: [] } },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-export-cmd-'));
  env.LAMBDAFIT_CACHE_DIR = join(dir, 'cache');
  bundle = join(dir, 'bundle');
  cpSync(fixture, bundle, { recursive: true });
  plan = await planFor(bundle, steps);
  planPath = join(dir, 'plan.json');
  writeFileSync(planPath, JSON.stringify(plan, null, 2));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifestOf = (out: string) => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as ExportManifest;

describe('lambdafit export (without the cold start)', () => {
  it('writes a deterministic, valid zip whose size is the prediction, and a manifest that explains it', async () => {
    const a = join(dir, 'out-a');
    const b = join(dir, 'out-b');
    const r1 = await runCli(['export', bundle, '--plan', planPath, '--out', a, '--no-verify'], { env: { ...env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r1.stderr).not.toMatch(/internal error/);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/^EXPORTED .*bundle → .*out-a$/m);
    expect(r1.stdout).toMatch(/Plan applied: removed 5 files .* by 2 rules; kept 2 files the rules wanted but bisection showed the function needs/);
    expect(r1.stdout).toMatch(/Cold start skipped \(--no-verify\)/);
    expect(r1.stdout).toMatch(/sam deploy --guided --template-file template\.yaml/);
    const r2 = await runCli(['export', bundle, '--plan', planPath, '--out', b, '--no-verify', '--json'], { env: { ...env, SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r2.code).toBe(0);
    const zipA = readFileSync(join(a, 'function.zip'));
    expect(readFileSync(join(b, 'function.zip')).equals(zipA)).toBe(true);
    expect(zipA.length).toBe(plan.predicted.zippedBytes);
    expect(readdirSync(a).sort()).toEqual(['deploy.sh', 'function.zip', 'manifest.json', 'template.yaml']);

    // Independent checks: Info-ZIP's unzip and Python's zipfile.
    expect(execFileSync('unzip', ['-t', join(a, 'function.zip')]).toString()).toMatch(/No errors detected/);
    const py = execFileSync('python3', [
      '-c',
      'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nprint(z.testzip())\nfor i in z.infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time)',
      join(a, 'function.zip'),
    ]).toString().trim().split('\n');
    expect(py[0]).toBe('None');
    const entries = py.slice(1).map((l) => l.split(' '));
    const names = entries.map((e) => e[0]!);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('node_modules/greeter/lib/index.js');
    expect(names).not.toContain('node_modules/greeter/README.md');
    expect(names).not.toContain('node_modules/greeter/lib/unused-a.js');
    for (const e of entries) expect(e[1]).toBe(e[0]!.endsWith('/') ? '0o40755' : '0o100644');
    // SOURCE_DATE_EPOCH 1700000000 is 2023-11-14 22:13:20 UTC (DOS time has 2 s steps).
    expect(new Set(entries.map((e) => e.slice(2).join(' ')))).toEqual(new Set(['(2023, 11, 14, 22, 13, 20)']));

    const m = manifestOf(a);
    expect(JSON.parse(r2.stdout).manifest.artifacts.function.sha256).toBe(m.artifacts.function.sha256);
    expect(JSON.parse(r2.stdout).status).toBe('exported');
    expect(m.lambdafit).toBe(packageVersion());
    expect(m.createdAt).toBe('2023-11-14T22:13:20.000Z');
    expect(m.input.treeHash).toBe(plan.input.treeHash);
    expect(m.plan?.path).toBe(planPath);
    expect(m.artifacts.function).toMatchObject({ file: 'function.zip', bytes: zipA.length, predictedBytes: plan.predicted.zippedBytes, files: plan.predicted.files });
    expect(m.removed.map((x) => x.path)).toEqual(['node_modules/greeter/CHANGELOG.md', 'node_modules/greeter/README.md', 'node_modules/greeter/lib/unused-a.js', 'node_modules/greeter/lib/unused-b.js', 'node_modules/greeter/lib/unused-c.js']);
    expect(m.removed[1]).toMatchObject({ ruleId: 'npm-readme-changelog', ruleSet: 'node-safe', risk: 'safe', reason: 'READMEs and changelogs', bytes: readFileSync(join(bundle, 'node_modules/greeter/README.md')).length });
    expect(m.kept).toEqual([{ ruleId: 'lib-folders', ruleSet: 'fixture-breaking', files: ['node_modules/greeter/lib/format.js', 'node_modules/greeter/lib/index.js'], evidence: steps[2]!.kind === 'keep' ? steps[2]!.evidence : null }]);
    const unzipped = m.limits.find((l) => l.id === 'unzipped-size');
    expect(unzipped).toMatchObject({ used: m.artifacts.function.unzippedBytes, limit: 262_144_000, fits: true });
    expect(unzipped!.headroom).toBe(262_144_000 - m.artifacts.function.unzippedBytes);
    expect(m.measurements.export).toBeNull();
    expect(m.measurements.fit?.baseline.passed).toBe(true);
    expect(m.function).toMatchObject({ runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 256, timeout: 10 });
    expect(readFileSync(join(a, 'template.yaml'), 'utf8')).toMatch(/CodeUri: function\.zip[\s\S]*Handler: "index\.handler"[\s\S]*Runtime: nodejs20\.x[\s\S]*MemorySize: 256/);
    execFileSync('sh', ['-n', join(a, 'deploy.sh')]);
  });

  it('refuses an existing --out without --force and leaves it alone', async () => {
    const out = join(dir, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const r = await runCli(['export', bundle, '--plan', planPath, '--out', out, '--no-verify'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists; pass --force/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    const forced = await runCli(['export', bundle, '--plan', planPath, '--out', out, '--no-verify', '--force'], { env });
    expect(forced.code).toBe(0);
    expect(readdirSync(out)).toContain('function.zip');
    expect(readdirSync(out)).not.toContain('keep.txt');
    expect(readdirSync(dir).filter((n) => n.includes('lambdafit-export'))).toEqual([]);
  });

  it('refuses a plan made for another tree, and an --out inside the bundle', async () => {
    const other = join(dir, 'other');
    cpSync(fixture, other, { recursive: true });
    writeFileSync(join(other, 'index.js'), "exports.handler = async () => 'changed';\n");
    const out = join(dir, 'never');
    const r = await runCli(['export', other, '--plan', planPath, '--out', out, '--no-verify', '--json'], { env });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('E_PLAN_OTHER_TREE');
    expect(r.stderr).toMatch(/plan was made for another bundle/);
    expect(existsSync(out)).toBe(false);
    const inside = await runCli(['export', bundle, '--plan', planPath, '--out', join(bundle, 'dist'), '--no-verify'], { env });
    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/inside the bundle/);
    expect(existsSync(join(bundle, 'dist'))).toBe(false);
  });

  it('exports the bundle unchanged without a plan, and says so', async () => {
    const out = join(dir, 'unchanged');
    const r = await runCli(['export', bundle, '--out', out, '--no-verify'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exported unchanged/);
    const scanned = await scanBundle({ path: bundle, cacheDir: false });
    expect(readFileSync(join(out, 'function.zip')).length).toBe(scanned.code.zippedBytes);
    expect(manifestOf(out).plan).toBeNull();
    expect(manifestOf(out).removed).toEqual([]);
  });

  it('takes the plan from "plan" in lambdafit.json when --plan is not given', async () => {
    const configured = join(dir, 'configured');
    cpSync(fixture, configured, { recursive: true });
    const config = JSON.parse(readFileSync(join(configured, 'lambdafit.json'), 'utf8'));
    writeFileSync(join(configured, 'lambdafit.json'), JSON.stringify({ ...config, plan: '../configured-plan.json' }));
    writeFileSync(join(dir, 'configured-plan.json'), JSON.stringify(await planFor(configured, steps)));
    const out = join(dir, 'configured-out');
    const r = await runCli(['export', configured, '--out', out, '--no-verify'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan: .*configured-plan\.json \(from lambdafit\.json/);
    expect(manifestOf(out).plan?.path).toBe(join(dir, 'configured-plan.json'));
    expect(manifestOf(out).removed).toHaveLength(5);
  });

  it('leaves --out as it was when killed just before publishing, and the next run cleans up', async () => {
    const out = join(dir, 'killed');
    mkdirSync(out);
    writeFileSync(join(out, 'previous.txt'), 'the last good export');
    const marker = join(dir, 'hold-marker');
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'export', bundle, '--plan', planPath, '--out', out, '--force', '--no-verify'], {
      env: { ...process.env, ...env, LAMBDAFIT_EXPORT_HOLD: marker },
      stdio: 'ignore',
    });
    const exited = new Promise((ok) => child.on('exit', ok));
    for (let i = 0; i < 600 && !existsSync(marker); i++) await new Promise((ok) => setTimeout(ok, 50));
    expect(existsSync(marker)).toBe(true);
    // Everything is written in the temp sibling at this point; SIGKILL allows no cleanup at all.
    const stale = readdirSync(dir).filter((n) => n.startsWith('.killed.lambdafit-export-'));
    expect(stale).toHaveLength(1);
    expect(readdirSync(join(dir, stale[0]!, 'out'))).toContain('function.zip');
    child.kill('SIGKILL');
    await exited;
    expect(readdirSync(out)).toEqual(['previous.txt']);

    const again = await runCli(['export', bundle, '--plan', planPath, '--out', out, '--force', '--no-verify'], { env });
    expect(again.code).toBe(0);
    expect(readdirSync(out)).toContain('function.zip');
    expect(readdirSync(dir).filter((n) => n.startsWith('.killed.lambdafit-export-'))).toEqual([]);
  });

  it('stops on Ctrl-C (exit 130) and removes its temp folder', async () => {
    const out = join(dir, 'interrupted');
    const marker = join(dir, 'hold-marker-int');
    const child = spawn(process.execPath, [join(packageRoot(), 'dist', 'cli.js'), 'export', bundle, '--plan', planPath, '--out', out, '--no-verify'], {
      env: { ...process.env, ...env, LAMBDAFIT_EXPORT_HOLD: marker },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    for (let i = 0; i < 600 && !existsSync(marker); i++) await new Promise((ok) => setTimeout(ok, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.interrupted.'))).toEqual([]);
  });
});
