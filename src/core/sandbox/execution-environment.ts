import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionConfig } from '../config/resolve-function-config.js';
import { classifyInvocationEnd, describeExit, type InvocationEnd, jsonErrorType } from './classify-invocation-event.js';
import { registerForCleanup } from './cleanup-reaper.js';
import type { EnvironmentProcess } from './environment-process.js';
import type { SlotReserve } from './environment-slot.js';
import type { HostCapabilities } from './host-capabilities.js';
import type { HostPython } from './host-python.js';
import { buildLambdaEnvironment, type EnvironmentPaths } from './lambda-environment.js';
import { launchEnvironmentProcess } from './launch-environment-process.js';
import { type InvocationDelivery, RuntimeApiServer, type RuntimeApiEvent } from './runtime-api-server.js';
import { type EntryFailure, resolveRuntimeEntry } from './runtime-entry.js';
import { nextResourceName } from './sandbox-owner.js';
import { ISOLATED_API_PORT } from './spawn-kernel-environment.js';

/** Everything needed to start environments of one function. */
export interface EnvironmentSpec {
  /** The function's resolved settings. */
  fn: FunctionConfig;
  /** Host folder of the function's code. */
  bundleDir: string;
  /** What this host can isolate, and with which tools. */
  caps: HostCapabilities;
  /** lambdafit's staging folder (skeletons, /tmp images, per-environment files). */
  stageRoot: string;
  /** `none`: only a loopback (kernel mode); `host`: the host's network. */
  network: 'host' | 'none';
  /** AWS_REGION of the environment. */
  region: string;
  /** AWS_LAMBDA_LOG_STREAM_NAME of the environment. */
  logStreamName: string;
  /** AWS credentials to pass to the function; none by default. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The host Python, for python runtimes. */
  python?: HostPython;
  /** Kernel mode: cgroups, staging folders and /tmp images, prepared one ahead. */
  slots?: SlotReserve;
  /** Receives every output line as it is written (for live display). */
  onLine?: (line: string) => void;
}

/** How an init attempt ended. */
export interface InitOutcome {
  /** How it ended. */
  status: 'ok' | 'error' | 'timeout';
  /** From the runtime's start to its first `/next` (or to the failure). */
  durationMs: number;
  /** Lambda's error type, for failures. */
  errorType?: string;
  /** The error body the runtime posted to /runtime/init/error, if any. */
  errorBody?: Buffer;
  /** For failures without a posted body: Lambda's sentence, e.g. `Runtime exited with error: exit status 1`. */
  errorMessage?: string;
  /** Output lines written during init. */
  logs: string[];
  /** lambdafit's explanations (why a bootstrap cannot run…). */
  hints: string[];
  /** Peak memory of the runtime's processes during init, bytes (0 when none started). */
  peakMemoryBytes: number;
}

/** How one invocation ended, with the environment's measurements. */
export interface InvokeOutcome {
  /** How it ended. */
  status: 'success' | 'error' | 'timeout';
  /** Lambda's error type, for failures. */
  errorType?: string;
  /** Response body, or the error body the invoker receives. */
  payload: Buffer;
  /** Content type the invoker receives. */
  contentType: string;
  /** Event delivery to response. */
  durationMs: number;
  /** Peak memory of the process tree so far (the memory size after an OOM kill). */
  maxMemoryUsedBytes: number;
  /** Peak bytes used in /tmp (sampled every 100 ms and at the end). */
  tmpPeakBytes: number;
  /** CPU time the environment used during the invocation, ms. */
  cpuTimeMs?: number;
  /** Output lines written during the invocation. */
  logs: string[];
}

/** One invocation to run. */
export interface InvokeRequest extends Omit<InvocationDelivery, 'deadlineMs'> {
  /** Time the invocation may take, ms (the function timeout, minus what a re-run init used). */
  timeoutMs: number;
}

type EnvironmentEvent = Exclude<InvocationEnd, { type: 'timeout' }>;
type Waiter = (event: InvocationEnd) => void;

/**
 * One Lambda execution environment: a runtime process tree plus its Runtime API. `start` runs the
 * init phase (bounded by `limitMs`: 10 s on demand, or the invoke's remaining time when init is
 * re-run inside an invocation), `invoke` runs invocations one at a time with the function
 * timeout, and any failure that kills the runtime (timeout, OOM, crash) ends the environment.
 */
export class ExecutionEnvironment {
  private waiter: Waiter | undefined;
  /** Events that arrived while nobody waited, in order. */
  private pending: EnvironmentEvent[] = [];
  private logs: string[] = [];
  private dead = false;
  private busy = false;
  private initialized = false;
  private cpuBaseline: number | undefined;

  private constructor(
    private readonly spec: EnvironmentSpec,
    private readonly api: RuntimeApiServer,
    private readonly proc: EnvironmentProcess,
  ) {
    void proc.exited.then((exit) => {
      this.dead = true;
      void this.api.close();
      this.onApiEvent({ type: 'exit', exit });
    });
  }

  /** Whether the runtime is alive and not running an invocation. */
  get available(): boolean {
    return !this.dead && !this.busy;
  }

  /** Whether the environment's processes are gone. */
  get exited(): boolean {
    return this.dead;
  }

  /**
   * Starts an environment and runs its init. `phase: 'init'` gives init two unthrottled vCPUs, as
   * Lambda's on-demand init; `invoke` (a re-run init) runs at the function's CPU share.
   */
  static async start(spec: EnvironmentSpec, phase: 'init' | 'invoke', limitMs: number): Promise<{ env?: ExecutionEnvironment; init: InitOutcome }> {
    const kernel = spec.caps.mode === 'kernel';
    const entry = await resolveRuntimeEntry(spec.fn.runtime, spec.bundleDir, spec.fn.layers, kernel ? 'others' : 'self');
    if ('errorType' in entry) return { init: entryFailure(entry) };

    let env: ExecutionEnvironment | undefined;
    const early: RuntimeApiEvent[] = [];
    const onEvent = (event: RuntimeApiEvent) => (env ? env.onApiEvent(event) : early.push(event));
    const isolatedNet = kernel && spec.network === 'none';
    let socketDir: string | undefined;
    if (isolatedNet) {
      socketDir = join(spec.stageRoot, nextResourceName('env'));
      registerForCleanup('dir', socketDir);
      await mkdir(socketDir, { mode: 0o700 });
    }
    const api = await RuntimeApiServer.listen(onEvent, socketDir && join(socketDir, 'api.sock'));
    const lines: string[] = [];
    const onLine = (raw: string) => {
      // Runtimes write multi-line log events with \r between lines (one event per stdout line); restore them.
      const line = raw.replace(/\r(?!$)/g, '\n').replace(/\r$/, '');
      (env ? env.logs : lines).push(line);
      spec.onLine?.(line);
    };
    const buildEnv = (paths: EnvironmentPaths) =>
      buildLambdaEnvironment({
        fn: spec.fn,
        runtimeApi: isolatedNet ? `127.0.0.1:${ISOLATED_API_PORT}` : api.address,
        paths,
        region: spec.region,
        logStreamName: spec.logStreamName,
        credentials: spec.credentials,
        hostPath: kernel ? undefined : process.env.PATH,
      });
    const spawnedAt = performance.now();
    let proc: EnvironmentProcess;
    try {
      proc = await launchEnvironmentProcess(spec, entry, buildEnv, onLine, socketDir);
    } catch (err) {
      await api.close();
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
      throw err;
    }
    if (socketDir) void proc.exited.then(() => rm(socketDir, { recursive: true, force: true }));
    env = new ExecutionEnvironment(spec, api, proc);
    env.logs = lines;
    env.pending.push(...early);
    if (phase === 'invoke') await proc.enterInvokePhase();
    let first = await env.next(limitMs);
    // The init limit counts from the runtime's start, not from the sandbox setup before it.
    for (;;) {
      const begun = proc.runtimeStartedAt();
      const left = begun === undefined ? 0 : limitMs - (performance.now() - begun);
      if (first.type !== 'timeout' || left < 1) break;
      first = await env.next(left);
    }
    const started = proc.runtimeStartedAt() ?? spawnedAt;
    const durationMs = Math.max(0, performance.now() - started);
    const logs = env.takeLogs();
    const peakMemoryBytes = await proc.memoryPeakBytes().catch(() => 0);
    if (first.type === 'next') {
      env.initialized = true;
      if (phase === 'init') await proc.enterInvokePhase();
      env.cpuBaseline = await proc.cpuUsageUs();
      spec.slots?.refill();
      return { env, init: { status: 'ok', durationMs, logs, hints: [], peakMemoryBytes } };
    }
    await env.dispose();
    const base = { durationMs, hints: [], peakMemoryBytes };
    if (first.type === 'timeout') return { init: { ...base, status: 'timeout', logs } };
    if (first.type === 'init-error') {
      const errorType = first.errorType ?? jsonErrorType(first.body) ?? 'Runtime.Unknown';
      return { init: { ...base, status: 'error', errorType, errorBody: first.body, logs: [...logs, ...env.takeLogs()] } };
    }
    if (first.type === 'exit') {
      const errorType = first.exit.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      return { init: { ...base, status: 'error', errorType, errorMessage: `Runtime exited with error: ${describeExit(first.exit)}`, logs: [...logs, ...env.takeLogs()] } };
    }
    return { init: { ...base, status: 'error', errorType: 'Runtime.Unknown', errorMessage: 'the runtime replied before asking for an event', logs } };
  }

  /** Runs one invocation; the environment must be available. */
  async invoke(req: InvokeRequest): Promise<InvokeOutcome> {
    this.busy = true;
    this.logs = [];
    // Read after the previous invocation (or init): the runtime idles in /next in between, and
    // this keeps a file read off the path from invoke to event delivery.
    const cpuBefore = this.cpuBaseline;
    let tmpPeak = 0;
    const sampleTmp = async () => {
      // Await before reading `tmpPeak`: concurrent samples may raise it meanwhile.
      const now = (await this.proc.tmpUsedBytes().catch(() => undefined)) ?? 0;
      tmpPeak = Math.max(tmpPeak, now);
    };
    // The kernel keeps no peak of /tmp or of a whole tree's memory: sample both while the invocation runs.
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      void Promise.all([sampleTmp(), this.proc.memoryPeakBytes().catch(() => 0)]).finally(() => (sampling = false));
    }, 100);
    sampler.unref();
    const start = performance.now();
    this.api.deliver({ ...req, deadlineMs: Date.now() + req.timeoutMs });
    const event = await this.next(req.timeoutMs);
    const durationMs = performance.now() - start;
    clearInterval(sampler);
    // Output written just before the reply may still sit in the pipe: let one loop turn drain it.
    await new Promise((r) => setImmediate(r));

    const end = classifyInvocationEnd(event, req.requestId, req.timeoutMs);
    await sampleTmp();
    const [peak, cpuAfter] = await Promise.all([this.proc.memoryPeakBytes().catch(() => 0), this.proc.cpuUsageUs()]);
    let maxMemoryUsedBytes = peak;
    if (end.outOfMemory) maxMemoryUsedBytes = Math.max(peak, (await this.proc.chargedPeakBytes()) ?? this.spec.fn.memorySize * 1024 * 1024);
    this.cpuBaseline = cpuAfter;
    const outcome: InvokeOutcome = {
      status: end.status,
      errorType: end.errorType,
      payload: end.payload,
      contentType: end.contentType,
      durationMs,
      maxMemoryUsedBytes: Math.min(maxMemoryUsedBytes, this.spec.fn.memorySize * 1024 * 1024),
      tmpPeakBytes: tmpPeak,
      cpuTimeMs: cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / 1000 : undefined,
      logs: this.takeLogs(),
    };
    // A timeout ends the environment, as on Lambda; so does anything that killed the runtime.
    if (end.endsEnvironment) await this.dispose();
    this.busy = false;
    return outcome;
  }

  /** Kills the environment's processes and closes its Runtime API. */
  async dispose(): Promise<void> {
    this.dead = true;
    await this.proc.kill();
    await this.api.close();
  }

  private takeLogs(): string[] {
    const logs = this.logs;
    this.logs = [];
    return logs;
  }

  private onApiEvent(event: EnvironmentEvent): void {
    // After init, `next` only matters when it abandons an invocation; otherwise the runtime is just ready again.
    if (event.type === 'next' && this.initialized && !event.abandoned) return;
    if (this.waiter) this.waiter(event);
    else this.pending.push(event);
  }

  /** Waits for the next Runtime API event, the runtime's exit, or `timeoutMs`. */
  private next(timeoutMs: number): Promise<Parameters<Waiter>[0]> {
    const queued = this.pending.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done({ type: 'timeout' }), timeoutMs);
      const done: Waiter = (event) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(event);
      };
      this.waiter = done;
    });
  }
}

function entryFailure(entry: EntryFailure): InitOutcome {
  return { status: 'error', durationMs: 0, errorType: entry.errorType, errorMessage: entry.message, logs: [], hints: [entry.hint], peakMemoryBytes: 0 };
}
