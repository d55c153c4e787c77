import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/package-root.js';
import { runCli } from '../helpers/run-cli.js';

interface Check {
  id: string;
  status: string;
  message: string;
  file?: string;
  measured?: number | null;
  budget?: number;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('lambdafit check with the sandbox', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-check-slow-'));
    env = { LAMBDAFIT_CACHE_DIR: join(dir, 'cache'), GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 3 when the function fails, with an annotation on the failing event', async () => {
    const fn = join(dir, 'failing');
    await write(fn, {
      'index.js': 'exports.handler = async (e) => { if (e.bad) throw new TypeError("bad input"); return { ok: true }; };\n',
      'events/1-good.json': '{}',
      'events/2-bad.json': '{"bad": true}',
      'lambdafit.json': JSON.stringify({ runtime: 'nodejs20.x', events: ['events/*.json'] }),
    });
    const run = await runCli(['check', fn, '--json'], { env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir } });
    expect(run.code).toBe(3);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ verdict: 'verification-failed', exitCode: 3 });
    const v = (doc.checks as Check[]).find((c) => c.id === 'verification')!;
    expect(v.status).toBe('fail');
    expect(v.message).toContain('TypeError');
    expect(v.file).toBe(join(fn, 'events', '2-bad.json'));
    expect(run.stderr).toMatch(/^::error file=failing\/events\/2-bad\.json,title=lambdafit check%3A works in the sandbox::The function failed/m);
  });

  it('exits 1 on a missed cold-start budget, and re-checks an unchanged bundle from the cache', async () => {
    const fn = join(dir, 'slow-init');
    await write(fn, {
      'index.js': 'const until = Date.now() + 30; while (Date.now() < until);\nexports.handler = async (e) => ({ echo: e });\n',
      'events/q.json': '{"q": "hi"}',
      'lambdafit.json': JSON.stringify({ runtime: 'nodejs20.x', events: ['events/*.json'], budgets: { coldStartMs: 1, maxMemoryMB: 4096 } }),
    });
    const first = await runCli(['check', fn, '--json'], { env });
    expect(first.code).toBe(1);
    const doc = JSON.parse(first.stdout);
    expect(doc.verification).toMatchObject({ status: 'passed', cached: false });
    const cold = (doc.checks as Check[]).find((c) => c.id === 'budget:coldStartMs')!;
    expect(cold).toMatchObject({ status: 'fail', budget: 1, file: join(fn, 'lambdafit.json') });
    expect(cold.measured).toBe(doc.verification.measurement.initDurationMs);
    expect(cold.measured!).toBeGreaterThan(1);
    expect((doc.checks as Check[]).find((c) => c.id === 'budget:maxMemoryMB')).toMatchObject({ status: 'pass', measured: doc.verification.measurement.maxMemoryUsedMB });

    const again = await runCli(['check', fn], { env });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('From the verification cache');
    expect(again.stderr).toContain('using the cached result (no sandbox run)');
    expect(again.stdout).toContain(`init ${Math.round(cold.measured!)} ms`);

    const fresh = JSON.parse((await runCli(['check', fn, '--json', '--no-cache'], { env })).stdout);
    expect(fresh.verification.cached).toBe(false);
  });

  it('applies a plan from lambdafit fit, compares with its recorded outputs, and refuses it once the bundle changed', async () => {
    const fn = join(dir, 'node-breaking-rule');
    await cp(join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule'), fn, { recursive: true });
    // lambdafit.json names the plan, relative to itself, and both live in the bundle folder: the
    // plan's tree hash leaves lambdafit's own files out, so editing them keeps the plan valid.
    const config = JSON.parse(await readFile(join(fn, 'lambdafit.json'), 'utf8'));
    await writeFile(join(fn, 'lambdafit.json'), JSON.stringify({ ...config, plan: 'lambdafit.plan.json' }));
    const planPath = join(fn, 'lambdafit.plan.json');
    const fit = await runCli(['fit', fn, '--out', planPath], { env });
    expect(fit.code).toBe(0);
    const plan = JSON.parse(await readFile(planPath, 'utf8'));
    expect(plan.input.excluded).toEqual(['lambdafit.json', 'lambdafit.plan.json']);
    await writeFile(join(fn, 'lambdafit.json'), JSON.stringify({ ...config, plan: 'lambdafit.plan.json', budgets: { maxMemoryMB: 4096 } }));

    const junit = join(dir, 'plan.xml');
    const run = await runCli(['check', fn, '--json', '--junit', junit], { env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ verdict: 'fits', exitCode: 0, plan: { path: planPath, chosen: plan.chosen, treeHashMatches: true } });
    expect(doc.verification).toMatchObject({ status: 'passed', comparedWithGolden: true });
    expect(doc.verification.events).toHaveLength(2);
    // The plan file, written after the fit, ships with the bundle too.
    expect(doc.after.files).toBe(plan.predicted.files + 1);
    // The plan keeps what the breaking rule would have removed: the files the function needs ship.
    expect(doc.removed.map((r: { path: string }) => r.path)).not.toContain('node_modules/greeter/lib/index.js');
    expect(plan.steps.some((s: { kind: string }) => s.kind === 'keep')).toBe(true);
    expect(await readFile(junit, 'utf8')).toContain('name="plan made for this bundle"');

    await writeFile(join(fn, 'index.js'), (await readFile(join(fn, 'index.js'), 'utf8')) + '// changed\n');
    const stale = await runCli(['check', fn, '--json'], { env });
    expect(stale.code).toBe(3);
    const staleDoc = JSON.parse(stale.stdout);
    expect((staleDoc.checks as Check[]).find((c) => c.id === 'plan:input')).toMatchObject({ status: 'fail', file: planPath });
    expect(staleDoc.verification).toMatchObject({ status: 'skipped', reason: 'the plan was made for another bundle' });
  });
});
