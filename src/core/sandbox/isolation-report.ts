import type { FunctionConfig } from '../config/resolve-function-config.js';
import type { HostCapabilities } from './host-capabilities.js';
import type { ResourcePlan } from './plan-resources.js';
import { runtimeFamily } from './runtime-entry.js';
import { portableGuarantees } from './spawn-portable-environment.js';

/** What the sandbox guarantees for a run, and what it could not, in sentences for the report. */
export interface IsolationReport {
  /** `kernel` (namespaces, cgroups, non-root user) or `portable` (watchdogs). */
  mode: 'kernel' | 'portable';
  /** Why portable mode was used (empty in kernel mode). */
  portableReasons: string[];
  /** Guarantees that hold, one per line. */
  guarantees: string[];
  /** Guarantees lost compared with Lambda, one per line. */
  lost: string[];
  /** Other differences worth knowing (CPU capped, host interpreter version…). */
  notes: string[];
  /** vCPU Lambda would give and vCPU the sandbox gives. */
  vcpus: number;
  /** vCPU the sandbox actually gives (capped by the host). */
  effectiveVcpus: number;
  /** The host has fewer cores than Lambda would give. */
  cpuCapped: boolean;
}

/** Facts about the host runtime that the report compares with the configured one. */
export interface HostRuntimeFacts {
  /** `process.version` of the host Node.js. */
  nodeVersion: string;
  /** Version of the host Python, for python runtimes. */
  pythonVersion?: string;
  /** `process.arch` of the host. */
  arch: string;
}

/** Builds the report from what the host can do and how the function is configured. */
export function describeIsolation(
  caps: HostCapabilities,
  fn: FunctionConfig,
  plan: ResourcePlan,
  network: 'host' | 'none',
  host: HostRuntimeFacts,
): IsolationReport {
  const notes = [...plan.notes];
  const family = runtimeFamily(fn.runtime);
  const wantedNode = /^nodejs(\d+)/.exec(fn.runtime)?.[1];
  const hostNode = /^v?(\d+)/.exec(host.nodeVersion)?.[1];
  if (family === 'node' && wantedNode && wantedNode !== hostNode) {
    notes.push(`${fn.runtime} requested; the sandbox runs this host's Node.js ${host.nodeVersion}.`);
  }
  const wantedPython = /^python(\d+\.\d+)/.exec(fn.runtime)?.[1];
  if (family === 'python' && wantedPython && host.pythonVersion && !host.pythonVersion.startsWith(wantedPython + '.')) {
    notes.push(`${fn.runtime} requested; the sandbox runs this host's Python ${host.pythonVersion}.`);
  }
  const hostArch = host.arch === 'x64' ? 'x86_64' : host.arch;
  if (fn.architecture !== hostArch) notes.push(`architecture ${fn.architecture} requested; the sandbox runs natively on ${hostArch} (no emulation).`);

  if (caps.mode === 'portable') {
    return {
      mode: 'portable',
      portableReasons: caps.portableReasons,
      guarantees: [
        `timeout ${fn.timeout} s, 10 s init cap, payload limits and warm reuse as on Lambda`,
        `memory watchdog at ${fn.memorySize} MB, /tmp watchdog at ${fn.ephemeralStorage} MB, 1,024 open files`,
      ],
      lost: portableGuarantees(),
      notes,
      vcpus: plan.vcpus,
      effectiveVcpus: caps.cores,
      cpuCapped: false,
    };
  }
  const guarantees = [
    `memory: cgroup limit of ${fn.memorySize} MB on the whole process tree; past it the kernel kills the runtime (Runtime.OutOfMemory)`,
    `CPU: ${plan.effectiveVcpus.toFixed(3)} vCPU (CFS quota ${plan.cpuQuotaUs} µs per ${plan.cpuPeriodUs} µs), from ${fn.memorySize} MB / 1,769 MB per vCPU; init runs on ${plan.initVcpus} unthrottled vCPU${plan.initVcpus > 1 ? 's' : ''} as on-demand init does on Lambda`,
    caps.loopTmp
      ? `/tmp: ${fn.ephemeralStorage} MB ext4 on a loop device (writes past it fail with ENOSPC; its page cache is reclaimable and not counted as memory)`
      : `/tmp: ${fn.ephemeralStorage} MB tmpfs (writes past it fail with ENOSPC)`,
    'processes: 1,024 processes+threads (pids cgroup) and 1,024 open files',
    'file system: bundle read-only at /var/task, layers read-only at /opt, only /tmp writable; the function runs as sbx_user1051 (uid 993) over files it does not own',
    network === 'none' ? 'network: none (its own network namespace with only a loopback)' : 'network: shares the host network',
    'cleanup: PID and mount namespaces die with lambdafit; cgroups are removed by a reaper even after SIGKILL',
  ];
  const lost: string[] = [];
  if (!caps.loopTmp) lost.push('/tmp is a tmpfs (no loop devices here): its pages count toward the memory limit, unlike on Lambda');
  return { mode: 'kernel', portableReasons: [], guarantees, lost, notes, vcpus: plan.vcpus, effectiveVcpus: plan.effectiveVcpus, cpuCapped: plan.cpuCapped };
}
