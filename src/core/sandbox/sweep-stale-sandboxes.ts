import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupLayout } from './cgroup-layout.js';
import { isOwnerAlive, ownerOfName } from './sandbox-owner.js';

/** What a sweep removed. */
export interface SweepResult {
  /** cgroup folders removed. */
  cgroups: string[];
  /** Staging folders removed. */
  folders: string[];
}

async function killCgroup(dir: string): Promise<void> {
  const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of procs.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Removes sandbox cgroups and staging folders whose owning lambdafit process is dead: a second
 * line of defence behind the reaper (which a machine reboot or a kill of the whole session can
 * take down with lambdafit). Resources of live lambdafit processes are never touched.
 */
export async function sweepStaleSandboxes(layout: CgroupLayout | undefined, stageRoot: string): Promise<SweepResult> {
  const result: SweepResult = { cgroups: [], folders: [] };
  const parents = new Set<string>();
  if (layout) {
    for (const dir of Object.values(layout.v1)) if (dir) parents.add(dir);
    if (layout.v2) {
      parents.add(layout.v2.ownDir);
      parents.add(layout.v2.mountPoint);
    }
  }
  for (const parent of parents) {
    const names = await readdir(parent).catch(() => [] as string[]);
    for (const name of names) {
      const owner = ownerOfName(name);
      if (!owner || !name.startsWith('lambdafit-') || (await isOwnerAlive(owner))) continue;
      const dir = join(parent, name);
      for (let i = 0; i < 50; i++) {
        await killCgroup(dir);
        const removed = await rmdir(dir).then(
          () => true,
          (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
        );
        if (removed) {
          result.cgroups.push(dir);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  for (const name of await readdir(stageRoot).catch(() => [] as string[])) {
    const owner = ownerOfName(name);
    if (!owner || !name.startsWith('env-') || (await isOwnerAlive(owner))) continue;
    await rm(join(stageRoot, name), { recursive: true, force: true });
    result.folders.push(join(stageRoot, name));
  }
  return result;
}
