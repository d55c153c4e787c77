import { spawn } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { EnvironmentExit, EnvironmentProcess } from './environment-process.js';
import type { SlotReserve } from './environment-slot.js';
import type { HostCapabilities } from './host-capabilities.js';
import { createLineSplitter } from './line-splitter.js';
import { formatFstab, planMounts } from './mount-plan.js';
import type { ResourcePlan } from './plan-resources.js';
import { peakOf, readProcessMemory } from './process-memory.js';
import { ensureOpenRoot, ensureRootSkeleton, readTopLevel, type TopLevelEntry, writeIdentityFiles } from './root-skeleton.js';
import type { RuntimeEntry } from './runtime-entry.js';
import { SANDBOX_GID, SANDBOX_UID } from './sandbox-limits.js';

/** Inputs of `spawnKernelEnvironment`. */
export interface KernelEnvironmentSpec {
  /** What this host can isolate, and with which tools. */
  caps: HostCapabilities;
  /** lambdafit's staging folder (skeletons, /tmp images, per-environment files). */
  stageRoot: string;
  /** Host folder of the function's code. */
  bundleDir: string;
  /** Host layer folders, in Lambda's order. */
  layers: string[];
  /** How the runtime starts. */
  entry: RuntimeEntry;
  /** Memory, CPU and process limits. */
  plan: ResourcePlan;
  /** /tmp size, MB. */
  ephemeralStorageMB: number;
  /** Where the environment's cgroups, staging folder and /tmp image come from. */
  slots: SlotReserve;
  /** The Lambda environment variables of the runtime. */
  env: Record<string, string>;
  /** `none` runs the function in its own network namespace with only a loopback. */
  network: 'host' | 'none';
  /** With `network: none`: host folder of the Runtime API unix socket `api.sock`, relayed to 127.0.0.1:9001 inside. */
  apiSocketDir?: string;
  /** Host Python prefix for /var/lang (python runtimes). */
  pythonPrefix?: string;
  /** Receives each output line of the environment (stdout and stderr, as Lambda merges them). */
  onLine: (line: string) => void;
}

/** Marker setup.sh prints on stderr right before it execs the runtime (Init Duration starts there). */
const EXEC_MARKER = 'lambdafit:exec';
/** Port of the Runtime API inside a network-isolated environment, as on Lambda. */
export const ISOLATED_API_PORT = 9001;

let shared: Promise<{ topLevel: TopLevelEntry[]; openRoot: string; passwd: string; group: string }> | undefined;
const skeletons = new Map<string, Promise<string>>();

/**
 * Starts an execution environment under kernel isolation (ENVIRONMENT.md, root on Linux): its own
 * cgroups (memory = the memory size, CPU = memory/1,769 vCPU, 1,024 pids), mount and PID
 * namespaces with the Lambda file system, rlimits, and the runtime as uid 993. The chain is
 * `setpriv --pdeathsig KILL unshare … --kill-child sh setup.sh`: if lambdafit dies, unshare gets
 * SIGKILL, then the namespace's PID 1, and with it every process and mount of the environment;
 * the cgroups and the staging folder are removed by `kill()`, or by the reaper if lambdafit died.
 */
export async function spawnKernelEnvironment(spec: KernelEnvironmentSpec): Promise<EnvironmentProcess> {
  const { caps, stageRoot, plan } = spec;
  const tools = caps.tools!;
  shared ??= (async () => {
    const topLevel = await readTopLevel();
    return { topLevel, openRoot: await ensureOpenRoot(stageRoot), ...(await writeIdentityFiles(stageRoot)) };
  })();
  const { topLevel, openRoot, passwd, group: groupFile } = await shared;
  const bundleRootClosed = ((await stat(spec.bundleDir)).mode & 0o005) !== 0o005;
  const family = spec.entry.family;
  let skeleton = skeletons.get(family);
  if (!skeleton) skeletons.set(family, (skeleton = ensureRootSkeleton(stageRoot, family, topLevel)));
  const slot = await spec.slots.take();
  const { envDir, cgroup } = slot;
  const release = () => slot.release();

  let exitInfo: Promise<EnvironmentExit>;
  let child;
  let imageToUnlink: string | undefined;
  try {
    const image = slot.image;
    imageToUnlink = image;
    const root = await skeleton;
    const mounts = planMounts({
      family,
      rootDir: root,
      bundleDir: spec.bundleDir,
      openRootDir: openRoot,
      bundleRootClosed,
      layers: spec.layers,
      runtimeDir: spec.entry.runtimeDirHost,
      nodeBinary: process.execPath,
      pythonPrefix: spec.pythonPrefix,
      topLevel,
      apiSocketDir: spec.apiSocketDir,
      passwdFile: passwd,
      groupFile,
      tmp: image ? { kind: 'ext4', image } : { kind: 'tmpfs', sizeMB: spec.ephemeralStorageMB },
    });
    const fstab = join(envDir, 'fstab');
    await writeFile(fstab, formatFstab(mounts));

    const control: Record<string, string> = {
      LF_ROOT: root,
      LF_FSTAB: fstab,
      LF_CGROUP_PROCS: cgroup.procsFiles.join(' '),
      LF_UID: String(SANDBOX_UID),
      LF_GID: String(SANDBOX_GID),
      LF_ENTRY: spec.entry.entry,
      LF_SETPRIV: tools.setpriv,
      LF_STAGE: envDir,
      LF_NET: spec.network === 'none' ? 'none' : '',
      LF_NODE: process.execPath,
      LF_RELAY: join(packageRoot(), 'sandbox', 'relay.mjs'),
      // The relay starts before the pivot but connects after it, when its root is the sandbox's.
      LF_API_SOCKET: spec.apiSocketDir ? '/var/rapid/api.sock' : '',
      LF_API_PORT: String(ISOLATED_API_PORT),
    };
    const unshareArgs = ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private'];
    if (spec.network === 'none') unshareArgs.push('--net');
    child = spawn(
      tools.setpriv,
      ['--pdeathsig', 'KILL', '--', tools.unshare, ...unshareArgs, '--', tools.sh, join(packageRoot(), 'sandbox', 'setup.sh')],
      { env: { ...spec.env, ...control }, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' },
    );
  } catch (err) {
    await release();
    throw err;
  }

  let startedAt: number | undefined;
  const out = createLineSplitter(spec.onLine);
  const errLines = createLineSplitter((line) => {
    if (startedAt === undefined && line === EXEC_MARKER) {
      startedAt = performance.now();
      // The empty /tmp's own blocks are the baseline; sample before user code can write there.
      void this_.tmpUsedBytes();
      // The loop device holds the image open: unlinked now, its space is freed with the namespace
      // whatever happens to lambdafit.
      if (imageToUnlink) void rm(imageToUnlink, { force: true });
      return;
    }
    // unshare complains when it re-raises SIGKILL on itself; that is lambdafit's plumbing, not function output.
    if (line.startsWith('unshare: sigprocmask')) return;
    spec.onLine(line);
  });
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => errLines.push(c));

  let peak = 0;
  let initPid: number | undefined;
  let tmpBaseline: number | undefined;
  const sample = async () => {
    const mem = readProcessMemory(await cgroup.pids());
    peak = Math.max(peak, peakOf(mem));
    initPid ??= mem.namespaceInitPid;
    return mem;
  };

  exitInfo = new Promise<EnvironmentExit>((resolve) => {
    child.on('close', async (code, signal) => {
      out.flush();
      errLines.flush();
      const outOfMemory = (await cgroup.oomKills().catch(() => 0)) > 0;
      await release();
      resolve({ code, signal, outOfMemory, tmpExceeded: false });
    });
    child.on('error', async () => {
      await release();
      resolve({ code: null, signal: null, outOfMemory: false, tmpExceeded: false });
    });
  });

  const this_: EnvironmentProcess = {
    pid: child.pid ?? -1,
    exited: exitInfo,
    runtimeStartedAt: () => startedAt,
    async enterInvokePhase() {
      await cgroup.setCpuQuota(plan.cpuQuotaUs, plan.cpuPeriodUs).catch(() => undefined);
    },
    async memoryPeakBytes() {
      await sample().catch(() => undefined);
      return peak;
    },
    chargedPeakBytes: () => cgroup.memoryPeakBytes().catch(() => undefined),
    cpuUsageUs: () => cgroup.cpuUsageUs().catch(() => undefined),
    async tmpUsedBytes() {
      if (initPid === undefined) await sample().catch(() => undefined);
      if (initPid === undefined) return undefined;
      let st;
      try {
        st = statfsSync(`/proc/${initPid}/root/tmp`);
      } catch {
        return undefined;
      }
      const used = (st.blocks - st.bfree) * st.bsize;
      tmpBaseline ??= used;
      return Math.max(0, used - tmpBaseline);
    },
    async kill() {
      child.kill('SIGKILL');
      await cgroup.killAll().catch(() => undefined);
      await exitInfo;
    },
  };
  return this_;
}
