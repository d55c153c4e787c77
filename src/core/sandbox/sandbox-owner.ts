import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Identity of the lambdafit process that owns a sandbox resource: pid plus the kernel's start time
 * of that pid, so that a recycled pid is never mistaken for a live owner. Resource names embed it
 * (`lambdafit-<pid>-<start>-<n>`), which lets a later run sweep what a killed run left behind.
 */
export interface SandboxOwner {
  /** Process id. */
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  start: number;
}

function parseStartTime(stat: string): number | undefined {
  // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[19]);
  return Number.isFinite(start) ? start : undefined;
}

let self: SandboxOwner | undefined;

/** This process as an owner. */
export function currentOwner(): SandboxOwner {
  if (!self) {
    let start = 0;
    try {
      start = parseStartTime(readFileSync('/proc/self/stat', 'utf8')) ?? 0;
    } catch {
      // Not Linux: the pid alone identifies the owner.
    }
    self = { pid: process.pid, start };
  }
  return self;
}

/** Whether the owner still runs (same pid, same start time). */
export async function isOwnerAlive(owner: SandboxOwner): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${owner.pid}/stat`, 'utf8');
    return owner.start === 0 || parseStartTime(stat) === owner.start;
  } catch {
    if (process.platform === 'linux') return false;
    try {
      process.kill(owner.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Parses `lambdafit-<pid>-<start>-<n>` / `env-<pid>-<start>-<n>` names back into their owner. */
export function ownerOfName(name: string): SandboxOwner | undefined {
  const m = /^(?:lambdafit|env)-(\d+)-(\d+)-\d+$/.exec(name);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

let counter = 0;

/** A fresh resource name owned by this process. */
export function nextResourceName(prefix: 'lambdafit' | 'env'): string {
  const owner = currentOwner();
  counter += 1;
  return `${prefix}-${owner.pid}-${owner.start}-${counter}`;
}
