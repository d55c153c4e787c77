import { execFile, spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registerForCleanup } from './cleanup-reaper.js';
import type { EnvironmentPaths } from './lambda-environment.js';
import type { EnvironmentExit, EnvironmentProcess } from './environment-process.js';
import { createLineSplitter } from './line-splitter.js';
import type { RuntimeEntry } from './runtime-entry.js';
import { MAX_FILE_DESCRIPTORS } from './sandbox-limits.js';
import { nextResourceName } from './sandbox-owner.js';

const run = promisify(execFile);

/** Inputs of `spawnPortableEnvironment`. */
export interface PortableEnvironmentSpec {
  /** lambdafit's staging folder (skeletons, /tmp images, per-environment files). */
  stageRoot: string;
  /** Host folder of the function's code. */
  bundleDir: string;
  /** Host layer folders, in Lambda's order. */
  layers: string[];
  /** How the runtime starts. */
  entry: RuntimeEntry;
  /** Memory size, MB. */
  memoryMB: number;
  /** /tmp size, MB. */
  ephemeralStorageMB: number;
  /** Builds the Lambda environment variables once the host paths are known. */
  buildEnv: (paths: EnvironmentPaths) => Record<string, string>;
  /** Host Python interpreter (python runtimes). */
  pythonExecutable?: string;
  /** Receives each output line of the environment. */
  onLine: (line: string) => void;
}

/** Watchdog periods: memory is sampled often (it can grow fast), /tmp less (walking it costs more). */
const MEMORY_POLL_MS = 50;
const TMP_POLL_MS = 250;

interface GroupSample {
  rssBytes: number;
  cpuTicks: number;
}

async function sampleGroupLinux(pgid: number): Promise<GroupSample> {
  let rssBytes = 0;
  let cpuTicks = 0;
  const names = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => /^\d+$/.test(n)).map(async (n) => {
      const stat = await readFile(`/proc/${n}/stat`, 'utf8').catch(() => undefined);
      if (!stat) return;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) return;
      cpuTicks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      rssBytes += Number(f[21]) * 4096;
    }),
  );
  return { rssBytes, cpuTicks };
}

async function sampleGroupPs(pgid: number): Promise<GroupSample> {
  const { stdout } = await run('ps', ['-o', 'rss=', '-g', String(pgid)]).catch(() => ({ stdout: '' }));
  const rssKb = stdout.split('\n').map(Number).filter(Number.isFinite).reduce((a, b) => a + b, 0);
  return { rssBytes: rssKb * 1024, cpuTicks: 0 };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else total += (await lstat(p).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/**
 * Starts an execution environment without kernel isolation (no root, or not Linux): the runtime
 * runs as the current user in its own process group, with the bundle, layers and runtime at their
 * host paths, TMPDIR pointing at a private folder, and `ulimit -n 1024`. Watchdogs poll the group's
 * resident memory and the /tmp folder and kill the group when either exceeds its size. What this
 * loses is listed by `portableGuarantees`.
 */
export async function spawnPortableEnvironment(spec: PortableEnvironmentSpec): Promise<EnvironmentProcess> {
  const envDir = join(spec.stageRoot, nextResourceName('env'));
  registerForCleanup('dir', envDir);
  const tmpDir = join(envDir, 'tmp');
  const home = join(envDir, 'home');
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  await mkdir(home, { recursive: true, mode: 0o700 });
  let optDir = join(envDir, 'opt');
  if (spec.layers.length === 1) optDir = spec.layers[0]!;
  else {
    await mkdir(optDir, { recursive: true });
    // Later layers overwrite earlier ones, as when Lambda extracts them in order.
    for (const layer of spec.layers) await cp(layer, optDir, { recursive: true, force: true, verbatimSymlinks: true });
  }
  const runtimeDir = spec.entry.runtimeDirHost ?? join(envDir, 'runtime');
  const env = spec.buildEnv({ taskRoot: spec.bundleDir, runtimeDir, optDir });
  env.TMPDIR = tmpDir;
  env.HOME = home;
  if (spec.entry.family === 'node') {
    env.LAMBDAFIT_NODE = process.execPath;
    const major = /nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1] ?? '20';
    env.NODE_PATH ??= [`${optDir}/nodejs/node${major}/node_modules`, `${optDir}/nodejs/node_modules`, `${runtimeDir}/node_modules`, runtimeDir, spec.bundleDir].join(':');
  }
  if (spec.entry.family === 'python') {
    if (spec.pythonExecutable) env.LAMBDAFIT_PYTHON = spec.pythonExecutable;
    env.LAMBDAFIT_OPT = optDir;
  }

  const child = spawn('/bin/sh', ['-c', `ulimit -n ${MAX_FILE_DESCRIPTORS} 2>/dev/null; exec "$0"`, spec.entry.entryHost], {
    cwd: spec.bundleDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid ?? -1;
  if (pgid > 0) registerForCleanup('pgid', String(pgid));
  const startedAt = performance.now();
  const out = createLineSplitter(spec.onLine);
  const err = createLineSplitter(spec.onLine);
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));

  const limitBytes = spec.memoryMB * 1024 * 1024;
  const tmpLimit = spec.ephemeralStorageMB * 1024 * 1024;
  const sampleGroup = process.platform === 'linux' ? sampleGroupLinux : sampleGroupPs;
  let peak = 0;
  let cpuTicks = 0;
  let tmpUsed = 0;
  let outOfMemory = false;
  let tmpExceeded = false;
  let alive = true;
  const killGroup = () => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  const memoryTimer = setInterval(async () => {
    if (!alive) return;
    const s = await sampleGroup(pgid);
    peak = Math.max(peak, s.rssBytes);
    cpuTicks = Math.max(cpuTicks, s.cpuTicks);
    if (s.rssBytes > limitBytes && alive) {
      outOfMemory = true;
      killGroup();
    }
  }, MEMORY_POLL_MS);
  const tmpTimer = setInterval(async () => {
    if (!alive) return;
    tmpUsed = await folderBytes(tmpDir);
    if (tmpUsed > tmpLimit && alive) {
      tmpExceeded = true;
      killGroup();
    }
  }, TMP_POLL_MS);
  memoryTimer.unref();
  tmpTimer.unref();

  const exited = new Promise<EnvironmentExit>((resolve) => {
    child.on('close', async (code, signal) => {
      alive = false;
      clearInterval(memoryTimer);
      clearInterval(tmpTimer);
      out.flush();
      err.flush();
      killGroup();
      await rm(envDir, { recursive: true, force: true });
      resolve({ code, signal, outOfMemory, tmpExceeded });
    });
  });

  return {
    pid: pgid,
    exited,
    runtimeStartedAt: () => startedAt,
    enterInvokePhase: async () => undefined,
    async memoryPeakBytes() {
      // Await before reading `peak`: the watchdog may raise it meanwhile.
      if (alive) {
        const now = (await sampleGroup(pgid)).rssBytes;
        peak = Math.max(peak, now);
      }
      return peak;
    },
    chargedPeakBytes: async () => peak,
    async cpuUsageUs() {
      if (alive) {
        const now = (await sampleGroup(pgid)).cpuTicks;
        cpuTicks = Math.max(cpuTicks, now);
      }
      return process.platform === 'linux' ? cpuTicks * 10_000 : undefined;
    },
    async tmpUsedBytes() {
      if (alive) tmpUsed = await folderBytes(tmpDir);
      return tmpUsed;
    },
    async kill() {
      killGroup();
      await exited;
    },
  };
}

/** What portable mode does not guarantee, one sentence each, for the run report. */
export function portableGuarantees(): string[] {
  return [
    'memory: enforced by polling resident memory every 50 ms and killing the function, not by a kernel limit (a fast allocation can overshoot between samples)',
    '/tmp: the function sees TMPDIR, not a real /tmp; code that writes to /tmp directly uses the host /tmp, and an oversized /tmp kills the function instead of failing the write with ENOSPC',
    'CPU: not scaled to the memory size; the function gets the whole host CPU, so durations are shorter than on Lambda at small memory sizes',
    'processes: no 1,024 process/thread limit',
    'file system: the bundle is not read-only at /var/task, layers are not at /opt, and the function runs as you, so files with mode 0600 stay readable',
    'network: --network none is not available',
    'cleanup: processes are killed by process group; a process that leaves the group can outlive the sandbox',
  ];
}
