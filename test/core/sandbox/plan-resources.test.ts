import { describe, expect, it } from 'vitest';
import { planResources } from '../../../src/core/sandbox/plan-resources.js';

describe('planResources', () => {
  it('gives 1,769 MB exactly one vCPU', () => {
    const plan = planResources(1769, 2);
    expect(plan.vcpus).toBe(1);
    expect(plan.cpuQuotaUs).toBe(plan.cpuPeriodUs);
    expect(plan.cpuCapped).toBe(false);
    expect(plan.memoryBytes).toBe(1769 * 1024 * 1024);
  });

  it('scales the quota linearly: 512 MB gets 512/1769 of a vCPU', () => {
    const small = planResources(512, 2);
    const big = planResources(1769, 2);
    expect(big.cpuQuotaUs / small.cpuQuotaUs).toBeCloseTo(1769 / 512, 2);
  });

  it('caps at the host cores and says so', () => {
    const plan = planResources(10240, 2);
    expect(plan.vcpus).toBeCloseTo(5.79, 2);
    expect(plan.effectiveVcpus).toBe(2);
    expect(plan.cpuCapped).toBe(true);
    expect(plan.cpuQuotaUs).toBe(2 * plan.cpuPeriodUs);
    expect(plan.notes.join(' ')).toMatch(/CPU capped: 10240 MB buys 5\.79 vCPU on Lambda but this host has 2 cores/);
  });

  it('keeps 128 MB above the kernel minimum quota and sets Lambda process and file limits', () => {
    const plan = planResources(128, 8);
    expect(plan.cpuQuotaUs).toBeGreaterThanOrEqual(1000);
    expect(plan.cpuQuotaUs / plan.cpuPeriodUs).toBeCloseTo(128 / 1769, 2);
    expect(plan.pidsMax).toBe(1024);
    expect(plan.nofile).toBe(1024);
    expect(plan.initVcpus).toBe(2);
    expect(planResources(128, 1).initVcpus).toBe(1);
  });
});
