import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/core/sandbox/create-sandbox.js';
import { fixture, json, kernelIsolation, openSandbox } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-runtimes: kernel isolation unavailable here (needs root on Linux with cgroups); skipping.');

// The same invocation contract in every runtime style (fixtures/functions/README.md), under
// kernel isolation: bundle read-only at /var/task, the function as uid 993, cgroup limits.
const RUNTIMES = [
  { name: 'node-cjs', errorType: 'Error', traceKey: 'trace' },
  { name: 'node-esm', errorType: 'Error', traceKey: 'trace' },
  { name: 'node-callback', errorType: 'Error', traceKey: 'trace' },
  { name: 'python', errorType: 'ValueError', traceKey: 'stackTrace' },
  { name: 'provided-shell', errorType: 'Runtime.ProbeError', traceKey: 'stackTrace' },
];

describe.skipIf(!kernel).each(RUNTIMES)('$name under kernel isolation', ({ name, errorType, traceKey }) => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await openSandbox(fixture(name), { memorySize: 256, timeout: 10 });
  });
  afterAll(() => sb?.close());

  it('answers a cold then a warm invocation with the context values', async () => {
    const cold = await sb.invoke('{"action":"echo","value":{"n":1}}');
    expect(cold.status).toBe('success');
    expect(cold.cold).toBe(true);
    expect(cold.initDurationMs).toBeGreaterThan(0);
    expect(cold.response).toMatchObject({ echo: { n: 1 }, requestId: cold.requestId, functionName: name, memoryLimitInMB: '256', runtime: name });
    expect(json<{ remainingMs: number }>(cold.response).remainingMs).toBeGreaterThan(0);
    expect(cold.logs[0]).toMatch(/^INIT_START Runtime Version: /);
    expect(cold.logs.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${cold.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t$`));

    const warm = await sb.invoke('{"action":"echo","value":2}');
    expect(warm.cold).toBe(false);
    expect(warm.initDurationMs).toBeNull();
    expect(json<{ echo: number }>(warm.response).echo).toBe(2);
    expect(warm.logs[0]).toBe(`START RequestId: ${warm.requestId} Version: $LATEST`);
    expect(warm.logs.at(-2)).toBe(`END RequestId: ${warm.requestId}`);
    expect(warm.logs.at(-1)).not.toContain('Init Duration');
    expect(warm.maxMemoryUsedMB).toBeGreaterThan(1);
    expect(warm.maxMemoryUsedMB).toBeLessThan(256);
  });

  it('returns the runtime client error body for an unhandled error', async () => {
    const r = await sb.invoke('{"action":"fail","message":"boom"}');
    expect(r.status).toBe('error');
    expect(r.errorType).toBe(errorType);
    const body = json<Record<string, unknown>>(r.response);
    expect(body.errorMessage).toBe('boom');
    expect(Array.isArray(body[traceKey])).toBe(true);
    expect(r.logs.at(-1)).toMatch(new RegExp(`\\tStatus: error\\tError Type: ${errorType.replace('.', '\\.')}\\t$`));
  });
});

describe.skipIf(!kernel)('the Lambda execution environment', () => {
  it('runs the function as sbx_user1051 in /var/task with Lambda variables, heap flags and limits', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 256 });
    try {
      const r = await sb.invoke('{"action":"env"}');
      const res = json<{ env: Record<string, string>; uid: number; user: string; cwd: string; execArgv: string[]; tmpMode: string; devShm: boolean; nofile: string }>(r.response);
      expect(res.uid).toBe(993);
      expect(res.user).toBe('sbx_user1051');
      expect(res.cwd).toBe('/var/task');
      // AWS's bootstrap: old space = M − ⌊M/10⌋, semi space = ⌊M/20⌋.
      expect(res.execArgv).toEqual(['--expose-gc', '--max-http-header-size', '81920', '--max-semi-space-size=12', '--max-old-space-size=231']);
      expect(res.tmpMode).toBe('1777');
      expect(res.devShm).toBe(false);
      expect(res.nofile).toBe('1024');
      expect(res.env).toMatchObject({
        LAMBDA_TASK_ROOT: '/var/task',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        NODE_PATH: '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      });
      expect(Object.keys(res.env).some((k) => k.startsWith('LF_'))).toBe(false);
      const write = await sb.invoke('{"action":"write","path":"/var/task/out.txt"}');
      expect(json<{ errorMessage: string }>(write.response).errorMessage).toBe("EROFS: read-only file system, open '/var/task/out.txt'");
      expect(write.hints.join(' ')).toMatch(/only \/tmp is writable/);
    } finally {
      await sb.close();
    }
  });
});
