import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import { type CgroupLayout, controllerHome, readCgroupLayout } from './cgroup-layout.js';

const run = promisify(execFile);

/** Paths of the host programs kernel isolation runs. */
export interface IsolationTools {
  /** util-linux unshare (namespaces). */
  unshare: string;
  /** util-linux setpriv (parent-death signal, user switch). */
  setpriv: string;
  /** util-linux mount. */
  mount: string;
  /** A POSIX shell for setup.sh. */
  sh: string;
  /** iproute2, to bring up the loopback with --network none. */
  ip?: string;
  /** mkfs.ext4, for the /tmp image. */
  mkfs?: string;
  /** debugfs, to shape the /tmp image. */
  debugfs?: string;
  /** cp, for sparse copies of the /tmp image. */
  cp?: string;
}

/** What this host can do for the sandbox. */
export interface HostCapabilities {
  /** `kernel` (namespaces, cgroups, non-root user) or `portable` (watchdogs only). */
  mode: 'kernel' | 'portable';
  /** Why kernel isolation is not available (empty in kernel mode). */
  portableReasons: string[];
  /** The programs kernel isolation runs, when all were found. */
  tools?: IsolationTools;
  /** Where this process sits in the cgroup hierarchies. */
  cgroups?: CgroupLayout;
  /** Online CPU cores. */
  cores: number;
  /** Whether /tmp can be an ext4 image on a loop device (else a tmpfs, whose pages count as memory). */
  loopTmp: boolean;
}

/** How the caller wants the sandbox isolated; `LAMBDAFIT_SANDBOX` picks it on the command line. */
export type IsolationRequest = 'auto' | 'kernel' | 'portable';

/**
 * The isolation `LAMBDAFIT_SANDBOX` asks for (auto when unset): the default of every sandbox
 * lambdafit starts — run, serve, fit, check and export alike.
 */
export function requestedIsolation(env: NodeJS.ProcessEnv = process.env): IsolationRequest {
  const value = env.LAMBDAFIT_SANDBOX;
  if (value === undefined || value === '') return 'auto';
  if (value === 'auto' || value === 'kernel' || value === 'portable') return value;
  throw new UsageError(`LAMBDAFIT_SANDBOX must be auto, kernel or portable, got "${value}".`);
}

async function findExecutable(name: string, pathEnv: string | undefined): Promise<string | undefined> {
  const dirs = [...(pathEnv ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean);
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      if ((await stat(p)).isFile()) return p;
    } catch {
      // next
    }
  }
  return undefined;
}

let cached: Promise<HostCapabilities> | undefined;

/**
 * Detects whether this host allows kernel isolation — Linux, root, util-linux's unshare/setpriv/
 * mount, and a writable memory cgroup (v1 or v2) — and otherwise lists each reason for falling back
 * to portable mode. Cached per process and request.
 */
export function detectHostCapabilities(request: IsolationRequest = requestedIsolation(), pathEnv = process.env.PATH): Promise<HostCapabilities> {
  if (request === 'auto') return (cached ??= detect(pathEnv));
  return detect(pathEnv).then((caps) => (request === 'portable' ? { ...caps, mode: 'portable', portableReasons: ['portable mode was requested (LAMBDAFIT_SANDBOX=portable)'] } : caps));
}

async function detect(pathEnv: string | undefined): Promise<HostCapabilities> {
  const reasons: string[] = [];
  const cores = availableParallelism();
  if (process.platform !== 'linux') {
    return { mode: 'portable', portableReasons: [`kernel isolation needs Linux; this is ${process.platform}`], cores, loopTmp: false };
  }
  if (process.getuid?.() !== 0) reasons.push('kernel isolation needs root (namespaces, cgroups, switching to the Lambda user)');
  const names = ['unshare', 'setpriv', 'mount', 'sh', 'ip', 'mkfs.ext4', 'debugfs', 'cp'] as const;
  const found = await Promise.all(names.map((n) => findExecutable(n, pathEnv)));
  const [unshare, setpriv, mount, sh, ip, mkfs, debugfs, cp] = found;
  for (const [i, n] of ['unshare', 'setpriv', 'mount', 'sh'].entries()) if (!found[i]) reasons.push(`${n} (util-linux) is not installed`);
  let cgroups: CgroupLayout | undefined;
  try {
    cgroups = await readCgroupLayout();
    if (!controllerHome(cgroups, 'memory')) reasons.push('no memory cgroup controller is mounted');
  } catch {
    reasons.push('cannot read /proc/self/cgroup');
  }
  if (reasons.length === 0 && unshare) {
    // Root in a container without CAP_SYS_ADMIN cannot create namespaces: try once.
    await run(unshare, ['--mount', '--pid', '--fork', 'true']).catch(() => reasons.push('unshare cannot create mount and PID namespaces here (missing CAP_SYS_ADMIN?)'));
  }
  const loopDevice = await access('/dev/loop-control').then(() => true, () => false);
  const tools: IsolationTools | undefined =
    unshare && setpriv && mount && sh ? { unshare, setpriv, mount, sh, ip, mkfs, debugfs, cp } : undefined;
  return {
    mode: reasons.length === 0 ? 'kernel' : 'portable',
    portableReasons: reasons,
    tools,
    cgroups,
    cores,
    loopTmp: Boolean(loopDevice && mkfs && debugfs && cp),
  };
}
