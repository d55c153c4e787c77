import { afterAll, describe, expect, it } from 'vitest';
import { fixture, json, openSandbox, removeBundles } from './sandbox-test-kit.js';

afterAll(removeBundles);

describe('portable mode (LAMBDAFIT_SANDBOX=portable)', () => {
  it('runs the function with watchdogs and lists every guarantee it loses', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 256, timeout: 30 }, { isolation: 'portable' });
    try {
      expect(sb.isolation.mode).toBe('portable');
      const lost = sb.isolation.lost.join('\n');
      for (const topic of ['memory:', '/tmp:', 'CPU:', 'processes:', 'file system:', 'network:', 'cleanup:']) expect(lost).toContain(topic);
      const env = await sb.invoke('{"action":"env"}');
      expect(env.status, JSON.stringify(env.response)).toBe('success');
      const res = json<{ env: Record<string, string>; execArgv: string[] }>(env.response);
      expect(res.env.LAMBDA_TASK_ROOT).toBe(fixture('node-probe'));
      expect(res.env.TMPDIR).toMatch(/lambdafit-sandbox\/env-\d+-\d+-\d+\/tmp$/);
      expect(res.execArgv).toContain('--max-old-space-size=231');
      const oom = await sb.invoke('{"action":"allocate","stepMB":16}');
      expect(oom.errorType, JSON.stringify(oom.response)).toBe('Runtime.OutOfMemory');
      expect(oom.maxMemoryUsedMB).toBe(256);
    } finally {
      await sb.close();
    }
  });

  it('refuses --network none, which needs kernel isolation', async () => {
    await expect(openSandbox(fixture('node-cjs'), {}, { isolation: 'portable', network: 'none' })).rejects.toThrow(/--network none needs kernel isolation/);
  });
});
