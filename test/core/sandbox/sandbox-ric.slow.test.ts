import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, json, kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const run = promisify(execFile);
const kernel = await kernelIsolation();
let installDir: string | undefined;

/** AWS's own Node runtime interface client: the copy in /tmp/ric when present, else npm install. */
async function findRic(): Promise<string | undefined> {
  const preinstalled = '/tmp/ric/node_modules/aws-lambda-ric';
  if (await stat(join(preinstalled, 'dist', 'rapid-client.node')).catch(() => undefined)) return preinstalled;
  installDir = await mkdtemp(join(tmpdir(), 'lambdafit-ric-'));
  try {
    await run('npm', ['install', 'aws-lambda-ric@3.3.0', '--prefix', installDir, '--no-audit', '--no-fund'], { timeout: 600_000 });
    return join(installDir, 'node_modules', 'aws-lambda-ric');
  } catch (err) {
    console.warn(`sandbox-ric: cannot install aws-lambda-ric@3.3.0 (${(err as Error).message.split('\n')[0]}); skipping.`);
    return undefined;
  }
}

let ric: string | undefined;
beforeAll(async () => {
  ric = await findRic();
}, 660_000);
afterAll(async () => {
  await removeBundles();
  if (installDir) await rm(installDir, { recursive: true, force: true });
});

describe('AWS runtime interface client against the sandbox Runtime API', () => {
  it('runs a custom bootstrap that execs aws-lambda-ric, unchanged', async (ctx) => {
    if (!ric) return ctx.skip();
    const dir = await makeBundle({
      bootstrap: { content: '#!/bin/sh\ncd "$LAMBDA_TASK_ROOT"\nexec node node_modules/aws-lambda-ric/bin/index.mjs "$_HANDLER"\n', mode: 0o755 },
      'package.json': '{"type":"commonjs"}',
    });
    await cp(join(fixture('node-cjs'), 'index.js'), join(dir, 'index.js'));
    for (const part of ['dist', 'bin', 'package.json']) await cp(join(ric, part), join(dir, 'node_modules', 'aws-lambda-ric', part), { recursive: true });
    const sb = await openSandbox(dir, { runtime: 'provided.al2023', handler: 'index.handler', memorySize: 512 }, { isolation: kernel ? 'kernel' : 'portable' });
    try {
      const ok = await sb.invoke('{"action":"echo","value":"ric"}');
      expect(ok.status).toBe('success');
      expect(ok.response).toMatchObject({ echo: 'ric', requestId: ok.requestId, memoryLimitInMB: '512' });
      expect(ok.logs).toContain(`Executing 'index.handler' in function directory '${kernel ? '/var/task' : dir}'`);
      const failed = await sb.invoke('{"action":"fail","message":"from ric"}');
      expect(failed.errorType).toBe('Error');
      const body = json<{ errorType: string; errorMessage: string; trace: string[] }>(failed.response);
      expect(body.errorMessage).toBe('from ric');
      expect(body.trace[0]).toBe('Error: from ric');
      const warm = await sb.invoke('{"action":"echo","value":3}');
      expect(warm.cold).toBe(false);
    } finally {
      await sb.close();
    }
  });
});
