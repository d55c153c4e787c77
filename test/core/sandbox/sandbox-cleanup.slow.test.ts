import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCgroupLayout } from '../../../src/core/sandbox/cgroup-layout.js';
import { kernelIsolation } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-cleanup: kernel isolation unavailable here; skipping.');

/** Everything on the host that still belongs to lambdafit process `pid`. */
async function leftovers(pid: number): Promise<string[]> {
  const found: string[] = [];
  const tag = `lambdafit-${pid}-`;
  const layout = await readCgroupLayout();
  const parents = [...Object.values(layout.v1), layout.v2?.ownDir, layout.v2?.mountPoint].filter((p): p is string => Boolean(p));
  for (const parent of new Set(parents)) {
    for (const name of await readdir(parent).catch(() => [] as string[])) if (name.startsWith(tag)) found.push(`cgroup ${join(parent, name)}`);
  }
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const cgroup = await readFile(`/proc/${p}/cgroup`, 'utf8').catch(() => '');
    if (cgroup.includes(tag)) found.push(`process ${p}`);
    const mounts = await readFile(`/proc/${p}/mountinfo`, 'utf8').catch(() => '');
    if (mounts.includes(`/env-${pid}-`)) found.push(`mounts of process ${p}`);
  }
  for (const name of await readdir(join(tmpdir(), 'lambdafit-sandbox')).catch(() => [] as string[])) {
    if (name.startsWith(`env-${pid}-`)) found.push(`staging folder ${name}`);
  }
  const loops = await readdir('/sys/block').catch(() => [] as string[]);
  for (const loop of loops.filter((l) => l.startsWith('loop'))) {
    const backing = await readFile(`/sys/block/${loop}/loop/backing_file`, 'utf8').catch(() => '');
    if (backing.includes(`/env-${pid}-`)) found.push(`loop device ${loop}`);
  }
  return found;
}

function startVictim(network: string): Promise<{ pid: number; child: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'sigkill-victim.ts'), network], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ pid: Number(m[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`victim exited early with ${code}`)));
  });
}

describe.skipIf(!kernel)('cleanup after lambdafit is SIGKILLed mid-invocation', () => {
  it.each(['host', 'none'])('leaves no process, cgroup, mount or loop device behind (network %s)', async (network) => {
    const { pid, child } = await startVictim(network);
    const before = await leftovers(pid);
    expect(before.some((l) => l.startsWith('cgroup '))).toBe(true);
    expect(before.some((l) => l.startsWith('process '))).toBe(true);
    expect(before.some((l) => l.startsWith('staging folder '))).toBe(true);
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(pid, 'SIGKILL');
    await exited;
    let left = await leftovers(pid);
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await leftovers(pid);
    }
    expect(left).toEqual([]);
  });
});
