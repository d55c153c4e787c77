import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, json, kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-limits: kernel isolation unavailable here (needs root on Linux with cgroups); skipping.');
afterAll(removeBundles);

const MB = 1024 * 1024;

describe.skipIf(!kernel)('kernel-enforced Lambda limits', () => {
  it('kills a function that allocates past its memory size, at that size, as Runtime.OutOfMemory', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 256, timeout: 60 });
    try {
      const r = await sb.invoke('{"action":"allocate","stepMB":2}');
      expect(r.status).toBe('error');
      expect(r.errorType).toBe('Runtime.OutOfMemory');
      expect(r.response).toEqual({ errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed` });
      expect(r.logs).toContain(`RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`);
      expect(r.logs.at(-1)).toMatch(/\tMax Memory Used: 256 MB\t.*Status: error\tError Type: Runtime\.OutOfMemory\t$/);
      // The function's private memory when it was killed (its last progress line) is the memory size ±5 %.
      const anon = r.logs.map((l) => /anon (\d+) MB$/.exec(l)?.[1]).filter(Boolean).map(Number);
      const last = anon.at(-1)!;
      expect(last).toBeGreaterThanOrEqual(256 * 0.95);
      expect(last).toBeLessThanOrEqual(256 * 1.05);
      // The killed environment is gone; the next invocation starts a new one.
      const next = await sb.invoke('{"action":"echo","value":1}');
      expect(next.cold).toBe(true);
      expect(next.status).toBe('success');
    } finally {
      await sb.close();
    }
  });

  it('gives /tmp its own size: 400 MB fits in a 512 MB function without counting as memory, past 512 MB is ENOSPC', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 512, ephemeralStorage: 512, timeout: 120 });
    try {
      const fits = await sb.invoke('{"action":"fill-tmp","mb":400}');
      expect(fits.status).toBe('success');
      expect(json<{ writtenMB: number }>(fits.response).writtenMB).toBe(400);
      expect(fits.maxMemoryUsedMB).toBeLessThan(150);
      expect(fits.tmpPeakBytes).toBeGreaterThanOrEqual(400 * MB);
      const full = await sb.invoke('{"action":"fill-tmp","mb":700}');
      const res = json<{ writtenMB: number; code: string }>(full.response);
      expect(res.code).toBe('ENOSPC');
      expect(res.writtenMB).toBeGreaterThanOrEqual(500);
      expect(res.writtenMB).toBeLessThan(560);
      expect(full.status).toBe('success');
    } finally {
      await sb.close();
    }
  });

  it('times out with Sandbox.Timedout and starts a fresh environment afterwards', async () => {
    const sb = await openSandbox(fixture('node-probe'), { timeout: 1 });
    try {
      const r = await sb.invoke('{"action":"sleep","ms":5000}');
      expect(r.status).toBe('timeout');
      expect(r.errorType).toBe('Sandbox.Timedout');
      expect(r.response).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds` });
      expect(r.logs.some((l) => new RegExp(`^\\S+Z ${r.requestId} Task timed out after 1.00 seconds$`).test(l))).toBe(true);
      expect(r.logs.at(-1)).toMatch(/\tStatus: timeout\t$/);
      const next = await sb.invoke('{"action":"echo","value":1}');
      expect(next.cold).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('stops a fork bomb at the 1,024 processes+threads limit', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 1024, timeout: 120 });
    try {
      const r = await sb.invoke('{"action":"fork","count":2000}');
      expect(r.status).toBe('success');
      const res = json<{ stderr: string; sleeping: number }>(r.response);
      expect(res.stderr).toMatch(/Cannot fork|Resource temporarily unavailable/);
      expect(res.sleeping).toBeGreaterThan(900);
      expect(res.sleeping).toBeLessThan(1024);
    } finally {
      await sb.close();
    }
  });

  it('reports Max Memory Used as the measured peak, not the memory size', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 1024, timeout: 60 });
    try {
      const baseline = await sb.invoke('{"action":"echo","value":0}');
      const r = await sb.invoke('{"action":"hold","mb":300}');
      expect(r.status).toBe('success');
      expect(r.maxMemoryUsedMB).toBeGreaterThanOrEqual(300);
      expect(r.maxMemoryUsedMB).toBeLessThanOrEqual(300 + baseline.maxMemoryUsedMB + 20);
      expect(r.logs.at(-1)).toContain(`\tMax Memory Used: ${r.maxMemoryUsedMB} MB\t`);
    } finally {
      await sb.close();
    }
  });

  it('fails on a mode 0600 file with EACCES, as on Lambda, and says why', async () => {
    const dir = await makeBundle({});
    await cp(fixture('node-cjs'), dir, { recursive: true });
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dir, 'index.js'), 0o600);
    const sb = await openSandbox(dir, {});
    try {
      const r = await sb.invoke('{"action":"echo","value":1}');
      expect(r.status).toBe('error');
      expect(r.errorType).toBe('Error');
      expect(json<{ errorMessage: string }>(r.response).errorMessage).toBe("EACCES: permission denied, open '/var/task/index.js'");
      expect(r.hints).toEqual([`/var/task/index.js (${join(dir, 'index.js')}) is not readable by the Lambda user (mode 0600); Lambda needs 0644 for files: chmod 644 ${join(dir, 'index.js')}.`]);
    } finally {
      await sb.close();
    }
  });
});
