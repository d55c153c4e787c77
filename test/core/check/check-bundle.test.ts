import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundle, type CheckBundleOptions } from '../../../src/core/check/check-bundle.js';
import type { LambdafitConfig } from '../../../src/core/config/config-schema.js';
import type { MeasureBundleStateOptions } from '../../../src/core/fit/measure-bundle-state.js';
import type { StateMeasurement } from '../../../src/core/plan/fit-plan.js';

/** The sandbox edge, recording what it was asked to run; the check's own logic is real. */
function sandboxEdge(result: Partial<StateMeasurement> = {}) {
  const calls: MeasureBundleStateOptions[] = [];
  const measure = async (o: MeasureBundleStateOptions) => {
    calls.push(o);
    const measurement: StateMeasurement = { passed: true, initDurationMs: 150, coldDurationMs: 20, warmDurationMs: 8, maxMemoryUsedMB: 70, invocations: 3, mismatches: [], ...result };
    return { measurement, responses: [], logs: [] };
  };
  return { calls, measure };
}

describe('checkBundle', () => {
  let dir: string;
  let fn: string;
  const config: LambdafitConfig = { runtime: 'nodejs20.x', memorySize: 512, events: ['events/*.json'], budgets: { coldStartMs: 100, warmP50Ms: 50, maxMemoryMB: 256 } };
  const base = (extra: Partial<CheckBundleOptions> = {}): CheckBundleOptions => ({
    path: fn,
    config,
    configDir: fn,
    cacheDir: join(dir, 'cache'),
    cwd: fn,
    sandboxMode: 'kernel',
    ...extra,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lf-check-core-'));
    fn = join(dir, 'fn');
    await mkdir(join(fn, 'events'), { recursive: true });
    await writeFile(join(fn, 'index.js'), 'exports.handler = async (e) => e;\n');
    await writeFile(join(fn, 'events', 'a.json'), '{"q":1}');
    await writeFile(join(fn, 'events', 'b.json'), '{"q":2}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('checks the runtime budgets against what the sandbox measured: cold start = Init Duration', async () => {
    const edge = sandboxEdge();
    const r = await checkBundle(base({ measure: edge.measure }));
    expect(edge.calls).toHaveLength(1);
    expect(edge.calls[0]!.fn.memorySize).toBe(512);
    expect(edge.calls[0]!.events.map((e) => e.payload.toString())).toEqual(['{"q":1}', '{"q":2}']);
    expect(r.verification).toMatchObject({ status: 'passed', cached: false, isolation: 'kernel' });
    const byId = new Map(r.checks.map((c) => [c.id, c]));
    expect(byId.get('budget:coldStartMs')).toMatchObject({ status: 'fail', measured: 150, budget: 100, unit: 'ms' });
    expect(byId.get('budget:warmP50Ms')).toMatchObject({ status: 'pass', measured: 8, budget: 50 });
    expect(byId.get('budget:maxMemoryMB')).toMatchObject({ status: 'pass', measured: 70, budget: 256 });
    expect(r).toMatchObject({ verdict: 'does-not-fit', exitCode: 1 });
  });

  it('serves an unchanged bundle from the verification cache, and runs again when an event changes', async () => {
    const edge = sandboxEdge();
    const again = await checkBundle(base({ measure: edge.measure }));
    expect(edge.calls).toHaveLength(0);
    expect(again.verification).toMatchObject({ status: 'passed', cached: true });
    expect(again.verification.measurement?.initDurationMs).toBe(150);
    // Budgets are not part of the key: a new budget re-judges the cached figures.
    const relaxed = await checkBundle(base({ measure: edge.measure, config: { ...config, budgets: { coldStartMs: 1000 } } }));
    expect(edge.calls).toHaveLength(0);
    expect(relaxed).toMatchObject({ verdict: 'fits', exitCode: 0 });

    await writeFile(join(fn, 'events', 'b.json'), '{"q":3}');
    const changed = await checkBundle(base({ measure: edge.measure }));
    expect(edge.calls).toHaveLength(1);
    expect(changed.verification.cached).toBe(false);
    // Other settings are part of the key too.
    await checkBundle(base({ measure: edge.measure, config: { ...config, memorySize: 1024 } }));
    expect(edge.calls).toHaveLength(2);
    // cacheDir false neither reads nor writes.
    await checkBundle(base({ measure: edge.measure, cacheDir: false }));
    expect(edge.calls).toHaveLength(3);
  });

  it('exits 3 on a failing function, names the failing event, and does not cache the failure', async () => {
    const event = join(fn, 'events', 'a.json');
    const edge = sandboxEdge({ passed: false, error: `${event}: Runtime.ExitError: boom`, initDurationMs: null, invocations: 1 });
    const cfg = { ...config, memorySize: 640 };
    const r = await checkBundle(base({ measure: edge.measure, config: cfg }));
    expect(r).toMatchObject({ verdict: 'verification-failed', exitCode: 3 });
    const v = r.checks.find((c) => c.id === 'verification')!;
    expect(v).toMatchObject({ status: 'fail', file: event });
    expect(v.message).toContain('Runtime.ExitError: boom');
    expect(r.checks.find((c) => c.id === 'budget:coldStartMs')).toMatchObject({ status: 'skip', measured: null });
    await checkBundle(base({ measure: edge.measure, config: cfg }));
    expect(edge.calls).toHaveLength(2);
  });

  it('does not run the sandbox with verify false, or when nothing asks for it', async () => {
    const edge = sandboxEdge();
    const off = await checkBundle(base({ measure: edge.measure, verify: false }));
    expect(off.verification).toMatchObject({ status: 'skipped', reason: '--no-verify' });
    const quiet = await checkBundle(base({ measure: edge.measure, config: { runtime: 'nodejs20.x' } }));
    expect(quiet.verification.status).toBe('skipped');
    expect(quiet.exitCode).toBe(0);
    expect(edge.calls).toHaveLength(0);
    // Nothing was written into the bundle.
    expect((await readFile(join(fn, 'index.js'), 'utf8')).startsWith('exports.handler')).toBe(true);
  });
});

describe('checkBundle with a placement plan', () => {
  it('builds the planned package and serves the plan’s objects to the sandbox through the local store', async () => {
    const { createHash } = await import('node:crypto');
    const { existsSync } = await import('node:fs');
    const { planFor } = await import('../plan/plan-for.js');
    const dir = await mkdtemp(join(tmpdir(), 'lf-check-place-'));
    try {
      const fn = join(dir, 'fn');
      await mkdir(fn, { recursive: true });
      const model = Buffer.from('model bytes '.repeat(1000));
      await writeFile(join(fn, 'index.js'), 'exports.handler = async () => 1;\n');
      await writeFile(join(fn, 'model.bin'), model);
      const loader = '// fetches model.bin at init\n';
      const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
      const plan = await planFor(fn, [
        {
          kind: 'placement',
          strategy: 'model-from-s3',
          description: 'model.bin from object storage at init',
          moved: [{ path: 'model.bin', bytes: model.length }],
          added: [{ path: 'lambdafit/loader.cjs', content: loader, hash: sha(loader) }],
          objects: [{ key: 'models/model.bin', from: ['model.bin'], format: 'file', bytes: model.length, hash: sha(model) }],
          layers: [],
          environment: { LAMBDAFIT_BUCKET: 'fn-objects', NODE_OPTIONS: '--require /var/task/lambdafit/loader.cjs' },
        },
      ]);
      const planPath = join(dir, 'plan.json');
      await writeFile(planPath, JSON.stringify(plan));
      let fetched: Buffer | undefined;
      let seen: { files: string[]; env: Record<string, string> } | undefined;
      const measure = async (o: MeasureBundleStateOptions) => {
        const env = { ...o.environment };
        seen = { files: ['index.js', 'model.bin', 'lambdafit/loader.cjs'].filter((f) => existsSync(join(o.bundleDir, f))), env };
        fetched = Buffer.from(await (await fetch(`${env.AWS_ENDPOINT_URL_S3}/fn-objects/models/model.bin`)).arrayBuffer());
        const measurement: StateMeasurement = { passed: true, initDurationMs: 40, coldDurationMs: 5, warmDurationMs: 2, maxMemoryUsedMB: 50, invocations: 2, mismatches: [] };
        return { measurement, responses: [], logs: [] };
      };
      const r = await checkBundle({ path: fn, config: { runtime: 'nodejs20.x' }, configDir: fn, planPath, cacheDir: join(dir, 'cache'), cwd: fn, sandboxMode: 'kernel', measure });
      expect(r).toMatchObject({ verdict: 'fits', exitCode: 0, plan: { treeHashMatches: true } });
      expect(seen!.files).toEqual(['index.js', 'lambdafit/loader.cjs']);
      expect(seen!.env).toMatchObject({ LAMBDAFIT_BUCKET: 'fn-objects', NODE_OPTIONS: '--require /var/task/lambdafit/loader.cjs' });
      expect(fetched!.equals(model)).toBe(true);
      expect(r.after.files).toBe(2);
      expect(r.removed.map((f) => [f.path, f.ruleId])).toEqual([['model.bin', 'placement:model-from-s3']]);
      // The function's environment with the plan's variables counts toward the 4 KB rule.
      expect(r.limits.find((l) => l.id === 'environment-size')!.used).toBe(Buffer.byteLength(JSON.stringify(plan.steps[0]!.kind === 'placement' ? plan.steps[0]!.environment : {})));
      expect(existsSync(join(fn, 'model.bin'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
