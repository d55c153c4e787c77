import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** What the reaper removes if lambdafit dies without releasing it. */
export type ReapableKind = 'cgroup' | 'dir' | 'pgid';

let reaper: ChildProcess | undefined;

function startReaper(): ChildProcess {
  const child = spawn('/bin/sh', [join(packageRoot(), 'sandbox', 'reaper.sh')], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  // Neither the reaper nor its pipe may keep lambdafit alive; the pipe closes when lambdafit exits.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return child;
}

/**
 * Registers a resource with this process's reaper: a detached shell in its own session whose stdin
 * is a pipe from lambdafit. When lambdafit exits for any reason — SIGKILL included — the pipe reaches
 * EOF and the reaper kills what is left and removes the cgroups and folders registered here. Ones
 * lambdafit released itself are simply gone by then.
 */
export function registerForCleanup(kind: ReapableKind, value: string): void {
  if (value.includes('\n')) return;
  reaper ??= startReaper();
  reaper.stdin?.write(`${kind} ${value}\n`);
}
