import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

async function write(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

interface Check {
  id: string;
  name: string;
  category: string;
  status: 'pass' | 'fail' | 'skip';
  message: string;
  file?: string;
  awsError?: string;
  measured?: number | null;
  budget?: number;
  used?: number;
  limit?: number;
}

describe('lambdafit check (sizes, reporters; no sandbox)', () => {
  let dir: string;
  let small: string;
  let big: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-check-cli-'));
    env = { LAMBDAFIT_CACHE_DIR: join(dir, 'cache'), GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };
    small = join(dir, 'small');
    await write(small, {
      'index.js': 'exports.handler = async () => require("dep").ok;\n',
      'package.json': '{"name":"fn","version":"1.0.0"}\n',
      'node_modules/dep/package.json': '{"name":"dep","version":"1.0.0"}\n',
      'node_modules/dep/index.js': 'exports.ok = true;\n',
      'node_modules/dep/README.md': '# dep\n'.repeat(100),
    });
    // Incompressible data just over the direct-upload limit once zipped.
    big = join(dir, 'big');
    await write(big, { 'index.js': 'exports.handler = async () => 1;\n', 'model.bin': randomBytes(52_500_000) });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 for a bundle that fits and prints the documented JSON document', async () => {
    const run = await runCli(['check', small, '--json'], { env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ verdict: 'fits', exitCode: 0, bundle: small, target: 'zip-s3', arch: 'x86_64', plan: null });
    // The size-only check's fields stay.
    expect(doc.after.unzippedBytes).toBeLessThan(doc.before.unzippedBytes);
    expect(doc.removed.map((r: { path: string }) => r.path)).toContain('node_modules/dep/README.md');
    expect(doc.ruleSets).toContain('node-safe');
    for (const c of doc.checks as Check[]) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'name', 'category', 'status', 'message']));
      expect(['pass', 'fail', 'skip']).toContain(c.status);
    }
    const zipped = (doc.checks as Check[]).find((c) => c.id === 'limit:unzipped-size')!;
    expect(zipped).toMatchObject({ status: 'pass', used: doc.after.unzippedBytes, limit: 262_144_000, file: small });
    // Nothing asked for a sandbox run: no events, no runtime budget.
    expect(doc.verification).toMatchObject({ status: 'skipped', cached: false });
    expect(doc.summary).toEqual({ passed: doc.checks.filter((c: Check) => c.status === 'pass').length, failed: 0, skipped: 1 });
  });

  it('exits 1 for a bundle over a limit, with AWS’s exact error, in text, JSON and JUnit', async () => {
    const junit = join(dir, 'reports', 'big.xml');
    await mkdir(join(dir, 'reports'), { recursive: true });
    const run = await runCli(['check', big, '--target', 'zip-direct', '--junit', junit], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('DOES NOT FIT');
    expect(run.stdout).toContain('AWS would answer: "Zipped size must be smaller than 52428800 bytes"');

    const json = JSON.parse((await runCli(['check', big, '--target', 'zip-direct', '--json'], { env })).stdout);
    expect(json).toMatchObject({ verdict: 'does-not-fit', exitCode: 1, target: 'zip-direct' });
    const failed = (json.checks as Check[]).filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['limit:zipped-size', 'limit:createfunction-request']);
    expect(failed[0]).toMatchObject({ category: 'limit', limit: 52_428_800, awsError: 'Zipped size must be smaller than 52428800 bytes', file: big });
    expect(failed[0]!.used).toBeGreaterThan(52_428_800);

    const xml = await readFile(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(xml);
    const suite = parsed.testsuites.testsuite;
    expect(Number(suite.tests)).toBe(json.checks.length);
    expect(Number(suite.failures)).toBe(2);
    const cases = suite.testcase as { name: string; failure?: { message: string; type: string; '#text': string } }[];
    expect(cases).toHaveLength(json.checks.length);
    const zipCase = cases.find((c) => c.failure && c.failure.message.includes('52,428,800'))!;
    expect(zipCase.failure!.type).toBe('LimitExceeded');
    expect(zipCase.failure!['#text']).toContain('AWS would answer: Zipped size must be smaller than 52428800 bytes');
    expect(cases.filter((c) => !c.failure).length).toBe(json.checks.length - 2);
  });

  it('exits 1 when a size budget is missed, naming the budget and lambdafit.json', async () => {
    const fn = join(dir, 'budgeted');
    await write(fn, { 'index.js': 'exports.handler = async () => 1;\n', 'lambdafit.json': JSON.stringify({ budgets: { zippedBytes: 100, unzippedBytes: 1_000_000 } }) });
    const run = await runCli(['check', fn, '--json'], { env });
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.verdict).toBe('does-not-fit');
    const zipped = (doc.checks as Check[]).find((c) => c.id === 'budget:zippedBytes')!;
    expect(zipped).toMatchObject({ status: 'fail', category: 'budget', budget: 100, measured: doc.after.zippedBytes, file: join(fn, 'lambdafit.json') });
    expect(zipped.message).toContain('over the budget of 100 B');
    expect((doc.checks as Check[]).find((c) => c.id === 'budget:unzippedBytes')).toMatchObject({ status: 'pass', budget: 1_000_000 });
    // Every limit still passes: the budget alone decides.
    expect((doc.checks as Check[]).filter((c) => c.category === 'limit').every((c) => c.status === 'pass')).toBe(true);
  });

  it('in GitHub Actions prints ::error annotations and appends a Markdown step summary', async () => {
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '# earlier step\n');
    const run = await runCli(['check', big, '--target', 'zip-direct'], { env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir } });
    expect(run.code).toBe(1);
    const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(annotations).toHaveLength(2);
    // file relative to the workspace; ':' escaped in properties, newlines escaped in the message.
    expect(annotations[0]).toMatch(/^::error file=big,title=lambdafit check%3A Zipped[^:]*::.+over by .+%0AAWS would answer: "Zipped size must be smaller than 52428800 bytes"$/);
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toContain('### lambdafit check: ❌ does not fit (`big` → zip-direct)');
    expect(md).toMatch(/\| ❌ \| Zipped deployment package[^|]*\| [\d,]+ \/ 52,428,800 bytes \| .*AWS: \"Zipped size must be smaller than 52428800 bytes\" \|/);

    // With --json the document alone is on stdout; annotations move to stderr.
    const json = await runCli(['check', big, '--target', 'zip-direct', '--json'], { env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir } });
    expect(JSON.parse(json.stdout).exitCode).toBe(1);
    expect(json.stderr).toContain('::error file=big,');
  });

  it('skips the sandbox with --no-verify and rejects a plan that is not one with exit 2', async () => {
    const fn = join(dir, 'with-events');
    await write(fn, {
      'index.js': 'exports.handler = async () => 1;\n',
      'events/a.json': '{}',
      'lambdafit.json': JSON.stringify({ events: ['events/*.json'], budgets: { coldStartMs: 5000 } }),
    });
    const run = await runCli(['check', fn, '--json', '--no-verify'], { env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.verification).toMatchObject({ status: 'skipped', reason: '--no-verify' });
    expect((doc.checks as Check[]).find((c) => c.id === 'budget:coldStartMs')).toMatchObject({ status: 'skip', budget: 5000, measured: null });

    await writeFile(join(dir, 'not-a-plan.json'), '{"format":"something else"}');
    const bad = await runCli(['check', fn, '--plan', join(dir, 'not-a-plan.json')], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a valid lambdafit plan');
    const missing = await runCli(['check', fn, '--plan', join(dir, 'nope.json')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the plan');
  });
});
