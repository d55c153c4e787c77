import { describe, expect, it } from 'vitest';
import { fixture, json, kernelIsolation, openSandbox } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-cpu: kernel isolation unavailable here (CPU scaling needs the cpu cgroup); skipping.');

async function medianDuration(memorySize: number, iterations: number, runs: number): Promise<number> {
  const sb = await openSandbox(fixture('node-probe'), { memorySize, timeout: 120 });
  try {
    await sb.invoke(JSON.stringify({ action: 'cpu', iterations: 1000 }));
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await sb.invoke(JSON.stringify({ action: 'cpu', iterations }));
      expect(r.status).toBe('success');
      times.push(json<{ ms: number }>(r.response).ms);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
  } finally {
    await sb.close();
  }
}

describe.skipIf(!kernel)('CPU scaled to memory', () => {
  it('runs a CPU-bound handler about 1769/512 = 3.45× slower at 512 MB than at 1,769 MB', async () => {
    // ~0.5 s of work at one full vCPU: long enough for the CFS quota to dominate.
    const iterations = 60_000_000;
    const fast = await medianDuration(1769, iterations, 3);
    const slow = await medianDuration(512, iterations, 3);
    const ratio = slow / fast;
    expect(ratio).toBeGreaterThan((1769 / 512) * 0.85);
    expect(ratio).toBeLessThan((1769 / 512) * 1.15);
  });
});
