import { readFileSync } from 'node:fs';

/** Memory of a set of processes, from /proc/<pid>/status. */
export interface ProcessMemory {
  /**
   * Resident memory of the tree now, bytes: every process's private memory (anonymous + shmem)
   * plus the file-backed pages of the largest process once, since processes of one tree map the
   * same binaries and libraries. Summing plain RSS would count those shared pages once per process.
   */
  treeBytes: number;
  /** The largest per-process peak resident set (VmHWM, kept by the kernel, so no spike is missed). */
  largestPeakBytes: number;
  /** Host pid of the process that is PID 1 of its namespace (the runtime), if among them. */
  namespaceInitPid?: number;
}

const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

function readStatus(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Reads the memory of the given processes. Max Memory Used is the process tree's resident memory,
 * not the cgroup's charge, which also holds reclaimable page cache of the bundle and /tmp files:
 * a function that reads a 250 MB model through read() did not "use" that cache. The reads are
 * synchronous: a procfs read takes microseconds, while each async readFile costs four thread-pool
 * round trips, which showed up as a millisecond on every warm invocation.
 */
export function readProcessMemory(pids: number[]): ProcessMemory {
  const result: ProcessMemory = { treeBytes: 0, largestPeakBytes: 0 };
  let largestFile = 0;
  for (const pid of pids) {
    const status = readStatus(pid);
    if (!status) continue;
    result.treeBytes += kb(status, 'RssAnon') + kb(status, 'RssShmem');
    largestFile = Math.max(largestFile, kb(status, 'RssFile'));
    result.largestPeakBytes = Math.max(result.largestPeakBytes, kb(status, 'VmHWM'));
    const ns = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
    if (ns && ns.length > 1 && ns[ns.length - 1] === '1') result.namespaceInitPid = pid;
  }
  result.treeBytes += largestFile;
  return result;
}

/** The memory figure a sample contributes to Max Memory Used. */
export function peakOf(sample: ProcessMemory): number {
  return Math.max(sample.treeBytes, sample.largestPeakBytes);
}
