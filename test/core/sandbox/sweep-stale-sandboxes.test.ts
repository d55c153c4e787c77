import { mkdir, mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCgroupLayout } from '../../../src/core/sandbox/cgroup-layout.js';
import { currentOwner, ownerOfName } from '../../../src/core/sandbox/sandbox-owner.js';
import { sweepStaleSandboxes } from '../../../src/core/sandbox/sweep-stale-sandboxes.js';
import { kernelIsolation } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
const stages: string[] = [];
afterAll(async () => Promise.all(stages.map((d) => rm(d, { recursive: true, force: true }))));

describe('sweepStaleSandboxes', () => {
  it('parses owner names', () => {
    expect(ownerOfName('lambdafit-12-345-6')).toEqual({ pid: 12, start: 345 });
    expect(ownerOfName('env-12-345-6')).toEqual({ pid: 12, start: 345 });
    expect(ownerOfName('skel-node-abc')).toBeUndefined();
  });

  it('removes staging folders of dead owners and keeps those of live ones', async () => {
    const stage = await mkdtemp(join(tmpdir(), 'lambdafit-sweep-'));
    stages.push(stage);
    const me = currentOwner();
    // A pid that exists with another start time stands for a dead owner whose pid was reused.
    await mkdir(join(stage, `env-${me.pid}-${me.start + 1}-1`));
    await mkdir(join(stage, `env-${me.pid}-${me.start}-1`));
    await mkdir(join(stage, 'skel-node-x'));
    const result = await sweepStaleSandboxes(undefined, stage);
    expect(result.folders).toEqual([join(stage, `env-${me.pid}-${me.start + 1}-1`)]);
    expect((await readdir(stage)).sort()).toEqual([`env-${me.pid}-${me.start}-1`, 'skel-node-x']);
  });

  it.skipIf(!kernel)('removes cgroups left by a dead lambdafit', async () => {
    const layout = await readCgroupLayout();
    const me = currentOwner();
    const parent = layout.v1.memory ?? layout.v2!.ownDir;
    const stale = join(parent, `lambdafit-${me.pid}-${me.start + 7}-99`);
    const live = join(parent, `lambdafit-${me.pid}-${me.start}-999`);
    await mkdir(stale);
    await mkdir(live);
    try {
      const result = await sweepStaleSandboxes(layout, await mkdtemp(join(tmpdir(), 'lambdafit-sweep-')));
      expect(result.cgroups).toContain(stale);
      expect(result.cgroups).not.toContain(live);
      expect(await readdir(parent)).not.toContain(`lambdafit-${me.pid}-${me.start + 7}-99`);
    } finally {
      await rmdir(live).catch(() => undefined);
    }
  });
});
