import { MAX_FILE_DESCRIPTORS, MAX_PROCESSES, MB_PER_VCPU } from './sandbox-limits.js';

/** The kernel limits of one execution environment, decided from the memory size alone. */
export interface ResourcePlan {
  /** Memory limit of the environment's memory cgroup, bytes (Lambda's MB are MiB). */
  memoryBytes: number;
  /** CPU Lambda gives this memory size: memory / 1,769 MB per vCPU. */
  vcpus: number;
  /** CPU the sandbox can give: `vcpus` capped at the host's cores. */
  effectiveVcpus: number;
  /** True when the host has fewer cores than Lambda would give. */
  cpuCapped: boolean;
  /** CFS period, µs. */
  cpuPeriodUs: number;
  /** CFS quota per period, µs (`effectiveVcpus × period`). */
  cpuQuotaUs: number;
  /** CPU during init: Lambda runs on-demand init unthrottled on two vCPUs (capped by the host). */
  initVcpus: number;
  /** Processes + threads. */
  pidsMax: number;
  /** Open files. */
  nofile: number;
  /** Sentences for the report, e.g. why the CPU is capped. */
  notes: string[];
}

/**
 * CFS period. 20 ms rather than the kernel's 100 ms default keeps each throttling pause short at
 * small memory sizes (at 128 MB a function gets 1.45 ms of CPU per period); the share, which is
 * what the acceptance ratio measures, is the same either way. The kernel's minimum quota is 1 ms,
 * which 128 MB (7.2 % of 20 ms) stays above.
 */
const PERIOD_US = 20_000;
const MIN_QUOTA_US = 1_000;
const INIT_VCPUS = 2;

/** Plans memory, CPU, pids and file limits for a function of `memoryMB` on a host with `hostCores`. */
export function planResources(memoryMB: number, hostCores: number): ResourcePlan {
  const vcpus = memoryMB / MB_PER_VCPU;
  const cores = Math.max(1, hostCores);
  const cpuCapped = vcpus > cores;
  const effectiveVcpus = Math.min(vcpus, cores);
  const notes: string[] = [];
  if (cpuCapped) {
    notes.push(
      `CPU capped: ${memoryMB} MB buys ${vcpus.toFixed(2)} vCPU on Lambda but this host has ${cores} core${cores > 1 ? 's' : ''}, so CPU-bound work runs up to ${(vcpus / cores).toFixed(2)}× slower than on Lambda.`,
    );
  }
  return {
    memoryBytes: memoryMB * 1024 * 1024,
    vcpus,
    effectiveVcpus,
    cpuCapped,
    cpuPeriodUs: PERIOD_US,
    cpuQuotaUs: Math.max(MIN_QUOTA_US, Math.round(effectiveVcpus * PERIOD_US)),
    initVcpus: Math.min(INIT_VCPUS, cores),
    pidsMax: MAX_PROCESSES,
    nofile: MAX_FILE_DESCRIPTORS,
    notes,
  };
}
