import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCgroupLayout } from '../../../src/core/sandbox/cgroup-layout.js';
import { createEnvironmentCgroup } from '../../../src/core/sandbox/environment-cgroup.js';
import { planResources } from '../../../src/core/sandbox/plan-resources.js';
import { nextResourceName } from '../../../src/core/sandbox/sandbox-owner.js';
import { kernelIsolation } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();

describe.skipIf(!kernel)('createEnvironmentCgroup', () => {
  it('sets memory, pids and the init CPU quota, switches to the invoke quota, and removes itself', async () => {
    const layout = await readCgroupLayout();
    const plan = planResources(512, 2);
    const group = await createEnvironmentCgroup(layout, nextResourceName('lambdafit'), plan);
    try {
      const memDir = group.dirs.find((d) => d.includes('/memory')) ?? group.dirs[0]!;
      const limit = (await readFile(join(memDir, 'memory.limit_in_bytes'), 'utf8').catch(() => readFile(join(memDir, 'memory.max'), 'utf8'))).trim();
      expect(Number(limit)).toBe(512 * 1024 * 1024);
      if (layout.v1.cpu) {
        const cpuDir = join(layout.v1.cpu, group.name);
        expect(Number(await readFile(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8'))).toBe(2 * plan.cpuPeriodUs);
        await group.setCpuQuota(plan.cpuQuotaUs, plan.cpuPeriodUs);
        expect(Number(await readFile(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8'))).toBe(plan.cpuQuotaUs);
      }
      if (layout.v1.pids) expect((await readFile(join(layout.v1.pids, group.name, 'pids.max'), 'utf8')).trim()).toBe('1024');
      expect(await group.oomKills()).toBe(0);
      expect(await group.pids()).toEqual([]);
    } finally {
      await group.remove();
    }
    for (const dir of group.dirs) await expect(stat(dir)).rejects.toThrow();
  });
});
