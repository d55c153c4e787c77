/** How an environment's process tree ended. */
export interface EnvironmentExit {
  /** Exit code of the environment's top process, if it exited. */
  code: number | null;
  /** Signal that killed it, if any. */
  signal: NodeJS.Signals | null;
  /** Killed by the memory limit (kernel OOM killer, or the portable watchdog). */
  outOfMemory: boolean;
  /** Portable mode only: killed because /tmp outgrew its size (the kernel would have said ENOSPC). */
  tmpExceeded: boolean;
}

/**
 * A running execution environment's process tree, isolated by the kernel or watched in portable
 * mode. The lifecycle (init, invocations, timeouts) lives in ExecutionEnvironment; this is the
 * part that starts, measures and kills processes.
 */
export interface EnvironmentProcess {
  /** Host pid of the top process. */
  readonly pid: number;
  /** Resolves once every process of the environment is gone and its resources are released. */
  readonly exited: Promise<EnvironmentExit>;
  /** `performance.now()` at which the runtime program was exec'd (after the sandbox was set up). */
  runtimeStartedAt(): number | undefined;
  /** Switches from the init phase's CPU (two unthrottled vCPUs) to the memory-derived share. */
  enterInvokePhase(): Promise<void>;
  /** Peak resident memory of the process tree so far, bytes. */
  memoryPeakBytes(): Promise<number>;
  /** Peak charged memory of the environment (used for the OOM case, when the processes are gone). */
  chargedPeakBytes(): Promise<number | undefined>;
  /** CPU time used so far, µs. */
  cpuUsageUs(): Promise<number | undefined>;
  /** Bytes currently used in /tmp. */
  tmpUsedBytes(): Promise<number | undefined>;
  /** Kills every process and releases cgroups and staging folders; resolves when done. */
  kill(): Promise<void>;
}
