import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFunctionConfig } from '../../../../src/core/config/resolve-function-config.js';
import { buildDepsToTmpStep } from '../../../../src/core/fit/placement/build-deps-to-tmp-step.js';
import { servePlanObjects } from '../../../../src/core/fit/placement/serve-plan-objects.js';
import { stagePlacement, writeDependencyZip } from '../../../../src/core/fit/placement/stage-placement.js';
import { createSandbox } from '../../../../src/core/sandbox/create-sandbox.js';

let dir: string;
const deps: Record<string, { content: string; mode: number }> = {
  'node_modules/greet/package.json': { content: '{"name":"greet","main":"index.js"}', mode: 0o644 },
  'node_modules/greet/index.js': { content: 'module.exports = "hello from " + __dirname.split("/").slice(0, 3).join("/");', mode: 0o644 },
  'node_modules/@scope/esm-only/package.json': { content: '{"name":"@scope/esm-only","type":"module","exports":"./index.js"}', mode: 0o644 },
  'node_modules/@scope/esm-only/index.js': { content: 'export const answer = 42;', mode: 0o644 },
  'node_modules/tool/bin/run.sh': { content: '#!/bin/sh\necho ran\n', mode: 0o755 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambdafit-deps-'));
  await chmod(dir, 0o755);
  for (const [path, f] of Object.entries(deps)) {
    await mkdir(dirname(join(dir, 'baseline', path)), { recursive: true, mode: 0o755 });
    await writeFile(join(dir, 'baseline', path), f.content);
    await chmod(join(dir, 'baseline', path), f.mode);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// The generated loader: fetched through the runtime's AWS SDK from the local store, unpacked with
// its own zip reader into /tmp before an ESM handler loads, found by import and require.
describe('the deps-to-tmp placement in the sandbox', () => {
  it('lets an ESM handler import and require packages that only exist in the fetched zip', async () => {
    const files = Object.entries(deps).map(([path, f]) => ({ path, bytes: Buffer.byteLength(f.content), mode: f.mode }));
    const contentOf = (p: string) => join(dir, 'baseline', p);
    const zipPath = join(dir, 'deps.zip');
    const zip = await writeDependencyZip(files, contentOf, zipPath);
    const step = buildDepsToTmpStep({ files, zip, bucket: 'test-bucket', nodeOptions: undefined });
    expect(step.objects[0]).toMatchObject({ format: 'zip', bytes: zip.bytes, hash: zip.hash });
    const staged = await stagePlacement(step, join(dir, 'work'), contentOf, new Map([[step.objects[0]!.key, zipPath]]));

    const bundle = join(dir, 'bundle');
    await mkdir(join(bundle, 'lambdafit'), { recursive: true, mode: 0o755 });
    await chmod(bundle, 0o755);
    await writeFile(join(bundle, 'package.json'), '{"type":"module"}');
    await writeFile(
      join(bundle, 'index.js'),
      `import greet from 'greet';
import { answer } from '@scope/esm-only';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
const require = createRequire(import.meta.url);
export const handler = async () => ({ greet, answer, required: require('greet') === greet, ran: execFileSync(require.resolve('tool/bin/run.sh')).toString().trim() });`,
    );
    for (const [path, file] of staged.added) await writeFile(join(bundle, path), await readFile(file));

    const served = await servePlanObjects({ bucket: 'test-bucket', objects: staged.objects });
    try {
      const fn = await resolveFunctionConfig(bundle, { runtime: 'nodejs20.x', handler: 'index.handler', timeout: 30, memorySize: 1769 });
      const sb = await createSandbox({ bundleDir: bundle, fn: { ...fn, environment: { ...step.environment, ...served.environment } } });
      try {
        const r = await sb.invoke('{}');
        expect(r.status).toBe('success');
        expect(r.response).toEqual({ greet: expect.stringMatching(/^hello from \/tmp/), answer: 42, required: true, ran: 'ran' });
        expect(r.initDurationMs).not.toBeNull();
        expect(r.tmpPeakBytes).toBeGreaterThan(0);
        expect(r.logs.join('\n')).toMatch(/lambdafit: fetched s3:\/\/test-bucket\/lambdafit\/[0-9a-f]{16}\/dependencies\.zip \(\d+ bytes\) and unpacked it/);
        expect(served.stats.gets.map((g) => g.bytes)).toEqual([zip.bytes]);
      } finally {
        await sb.close();
      }

      // Without the object the init fails with the loader's message, not a hang.
      const sb2 = await createSandbox({ bundleDir: bundle, fn: { ...fn, environment: { ...step.environment, ...served.environment, LAMBDAFIT_BUCKET: 'missing-bucket' } } });
      try {
        const r = await sb2.invoke('{}');
        expect(r.status).not.toBe('success');
        expect(r.logs.join('\n')).toMatch(/lambdafit: could not fetch and unpack s3:\/\/missing-bucket\//);
      } finally {
        await sb2.close();
      }
    } finally {
      await served.close();
    }
  }, 120_000);
});
