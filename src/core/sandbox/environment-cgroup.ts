import { readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxError } from '../errors.js';
import { type CgroupController, type CgroupLayout, controllerHome } from './cgroup-layout.js';
import type { ResourcePlan } from './plan-resources.js';

/** The cgroups of one execution environment, across whichever hierarchies the host has. */
export interface EnvironmentCgroup {
  /** `lambdafit-<pid>-<start>-<n>`, the same in every hierarchy. */
  name: string;
  /** Every cgroup folder created (for the reaper and for removal). */
  dirs: string[];
  /** `cgroup.procs` files a process writes `0` into to join all of them. */
  procsFiles: string[];
  /** `v1`, `v2` or `hybrid`, for the report. */
  hierarchy: 'v1' | 'v2' | 'hybrid';
  /** Sets the CFS quota (init runs unthrottled, invocations at the memory-derived share). */
  setCpuQuota(quotaUs: number, periodUs: number): Promise<void>;
  /** Peak charged memory (page cache included), when the kernel tracks it. */
  memoryPeakBytes(): Promise<number | undefined>;
  /** How many times the kernel OOM-killed a process of this group. */
  oomKills(): Promise<number>;
  /** CPU time used by the group so far, µs. */
  cpuUsageUs(): Promise<number | undefined>;
  /** Host pids of the group's processes. */
  pids(): Promise<number[]>;
  /** SIGKILLs every process of the group. */
  killAll(): Promise<void>;
  /** Kills what is left and removes the folders (retrying while exiting tasks drain). */
  remove(): Promise<void>;
}

/** Scheduler weights: 64× and 100× the defaults (1,024 and 100). */
const CPU_SHARES_V1 = 65_536;
const CPU_WEIGHT_V2 = 10_000;

const read = (path: string) => readFile(path, 'utf8');
/** Tiny cgroupfs files read on every invocation: synchronously, see process-memory.ts. */
const readNow = (path: string) => readFileSync(path, 'utf8');
const write = (path: string, value: string) => writeFile(path, value);

function statField(text: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

let v2ParentCache: Promise<string> | undefined;

/**
 * The v2 folder to create groups under. Our own cgroup first, so its limits still apply; but v2
 * forbids enabling controllers for children of a cgroup that has processes itself (unless it is
 * the root), so when that fails the groups go under the hierarchy's root instead.
 */
async function v2Parent(layout: CgroupLayout, needed: string[]): Promise<string> {
  const v2 = layout.v2!;
  const enable = async (dir: string) => {
    const have = (await read(join(dir, 'cgroup.subtree_control')).catch(() => '')).split(/\s+/);
    for (const c of needed) if (!have.includes(c)) await write(join(dir, 'cgroup.subtree_control'), `+${c}`);
  };
  try {
    await enable(v2.ownDir);
    return v2.ownDir;
  } catch {
    await enable(v2.mountPoint);
    return v2.mountPoint;
  }
}

/** Creates the environment's cgroups with the plan's memory, CPU and pids limits. */
export async function createEnvironmentCgroup(layout: CgroupLayout, name: string, plan: ResourcePlan): Promise<EnvironmentCgroup> {
  const v1Dirs = new Map<CgroupController, string>();
  const v2Needed: string[] = [];
  for (const c of ['memory', 'cpu', 'cpuacct', 'pids'] as const) {
    const home = controllerHome(layout, c);
    if (home === 'v1') v1Dirs.set(c, join(layout.v1[c]!, name));
    else if (home === 'v2' && c !== 'cpuacct') v2Needed.push(c);
  }
  if (!v1Dirs.has('memory') && !v2Needed.includes('memory')) {
    throw new SandboxError('No memory cgroup controller is available on this host; run with LAMBDAFIT_SANDBOX=portable.', 'E_NO_CGROUP');
  }
  let v2Dir: string | undefined;
  if (layout.v2 && (v2Needed.length > 0 || !v1Dirs.has('cpuacct'))) {
    v2ParentCache ??= v2Parent(layout, v2Needed);
    v2Dir = join(await v2ParentCache, name);
  }
  const dirs = [...new Set([...v1Dirs.values(), ...(v2Dir ? [v2Dir] : [])])];
  for (const dir of dirs) await mkdir(dir);

  const memV1 = v1Dirs.get('memory');
  const cpuV1 = v1Dirs.get('cpu');
  const acctV1 = v1Dirs.get('cpuacct');
  const pidsV1 = v1Dirs.get('pids');
  const v2Has = (c: string) => v2Dir !== undefined && v2Needed.includes(c);

  const group: EnvironmentCgroup = {
    name,
    dirs,
    procsFiles: dirs.map((d) => join(d, 'cgroup.procs')),
    hierarchy: v1Dirs.size === 0 ? 'v2' : v2Needed.length === 0 ? 'v1' : 'hybrid',
    async setCpuQuota(quotaUs, periodUs) {
      if (cpuV1) {
        await write(join(cpuV1, 'cpu.cfs_period_us'), String(periodUs));
        await write(join(cpuV1, 'cpu.cfs_quota_us'), String(quotaUs));
      } else if (v2Has('cpu')) {
        await write(join(v2Dir!, 'cpu.max'), `${quotaUs} ${periodUs}`);
      }
    },
    async memoryPeakBytes() {
      if (memV1) return Number(await read(join(memV1, 'memory.max_usage_in_bytes')));
      const peak = await read(join(v2Dir!, 'memory.peak')).catch(() => undefined);
      return peak === undefined ? undefined : Number(peak);
    },
    async oomKills() {
      const text = memV1 ? await read(join(memV1, 'memory.oom_control')) : await read(join(v2Dir!, 'memory.events'));
      return statField(text, 'oom_kill') ?? 0;
    },
    async cpuUsageUs() {
      if (acctV1) return Number(readNow(join(acctV1, 'cpuacct.usage'))) / 1000;
      if (v2Dir) return statField(readNow(join(v2Dir, 'cpu.stat')), 'usage_usec');
      return undefined;
    },
    async pids() {
      let text = '';
      try {
        text = readNow(join(memV1 ?? v2Dir!, 'cgroup.procs'));
      } catch {
        // removed
      }
      return text.split('\n').filter(Boolean).map(Number);
    },
    async killAll() {
      if (v2Dir) await write(join(v2Dir, 'cgroup.kill'), '1').catch(() => undefined);
      for (const pid of await group.pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
    async remove() {
      // Killed tasks leave the cgroup a moment after SIGKILL: retry quickly, then back off (≈5 s in all).
      for (let attempt = 0; attempt < 60; attempt++) {
        await group.killAll();
        let left = 0;
        for (const dir of dirs) {
          await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') left++;
          });
        }
        if (left === 0) return;
        await new Promise((r) => setTimeout(r, Math.min(200, 1 + attempt * 5)));
      }
    },
  };

  try {
    if (memV1) {
      await write(join(memV1, 'memory.limit_in_bytes'), String(plan.memoryBytes));
      // No swap on Lambda: cap memory+swap at the same value where the host accounts swap.
      await write(join(memV1, 'memory.memsw.limit_in_bytes'), String(plan.memoryBytes)).catch(() => undefined);
    } else if (v2Has('memory')) {
      await write(join(v2Dir!, 'memory.max'), String(plan.memoryBytes));
      await write(join(v2Dir!, 'memory.swap.max'), '0').catch(() => undefined);
    }
    if (pidsV1) await write(join(pidsV1, 'pids.max'), String(plan.pidsMax));
    else if (v2Has('pids')) await write(join(v2Dir!, 'pids.max'), String(plan.pidsMax));
    // On Lambda a function's CPU share is guaranteed whatever its neighbours do: a high weight
    // makes the host scheduler give the group its quota first (the quota still caps it).
    if (cpuV1) await write(join(cpuV1, 'cpu.shares'), String(CPU_SHARES_V1)).catch(() => undefined);
    else if (v2Has('cpu')) await write(join(v2Dir!, 'cpu.weight'), String(CPU_WEIGHT_V2)).catch(() => undefined);
    const initQuota = Math.max(plan.cpuQuotaUs, plan.initVcpus * plan.cpuPeriodUs);
    await group.setCpuQuota(initQuota, plan.cpuPeriodUs);
  } catch (err) {
    await group.remove();
    throw new SandboxError(`Cannot configure cgroup ${name}: ${(err as Error).message}; run with LAMBDAFIT_SANDBOX=portable if this host does not allow it.`, 'E_CGROUP', { cause: err });
  }
  return group;
}
