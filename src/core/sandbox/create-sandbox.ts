import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FunctionConfig } from '../config/resolve-function-config.js';
import { CancelledError, SandboxError, throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { type EnvironmentSpec, ExecutionEnvironment, type InitOutcome, type InvokeOutcome } from './execution-environment.js';
import { SlotReserve } from './environment-slot.js';
import { explainPermissionErrors } from './explain-permission-error.js';
import { finishInvocation } from './finish-invocation.js';
import { detectHostCapabilities, requestedIsolation, type IsolationRequest } from './host-capabilities.js';
import { detectHostPython } from './host-python.js';
import { describeIsolation, type IsolationReport } from './isolation-report.js';
import { formatInitReport, formatInitStart, formatStart, logStreamName } from './lambda-log-lines.js';
import type { InvocationResult, InvokeOptions } from './invocation-result.js';
import { planResources } from './plan-resources.js';
import { runtimeFamily } from './runtime-entry.js';
import { INIT_TIMEOUT_MS, LOCAL_ACCOUNT_ID, MAX_REQUEST_PAYLOAD_BYTES } from './sandbox-limits.js';
import { sweepStaleSandboxes } from './sweep-stale-sandboxes.js';

/** Options of `createSandbox`. */
export interface SandboxOptions extends OperationOptions {
  /** The function's code folder (mounted read-only at /var/task). */
  bundleDir: string;
  /** The function's resolved settings. */
  fn: FunctionConfig;
  /** `none`: no network but the loopback (kernel mode only). Default `host`. */
  network?: 'host' | 'none';
  /** `auto` (default) uses kernel isolation when the host allows it. */
  isolation?: IsolationRequest;
  /** AWS_REGION of the environment; default us-east-1. */
  region?: string;
  /** Credentials to pass to the function, as SAM CLI passes the developer's; none by default. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Staging folder for skeletons, /tmp images and per-environment files; default `<tmpdir>/lambdafit-sandbox`. */
  stageRoot?: string;
}

/** Re-exported: what `invoke` takes and returns. */
export type { InvocationResult, InvokeOptions } from './invocation-result.js';

/** A function ready to invoke: a pool of execution environments that scales out with concurrency. */
export interface Sandbox {
  readonly isolation: IsolationReport;
  readonly fn: FunctionConfig;
  /** Invokes the function with an event (JSON text or bytes). */
  invoke(event: Buffer | string, options?: InvokeOptions): Promise<InvocationResult>;
  /** Kills every environment. */
  close(): Promise<void>;
}

let swept = false;

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0;Lineage=1:${randomBytes(4).toString('hex')}:0`;
}

/**
 * Creates a sandbox for a function: detects how far this host can isolate it (kernel isolation as
 * root on Linux, portable mode otherwise), sweeps what killed lambdafit runs left behind, and
 * returns a pool whose `invoke` behaves like Lambda's: the first invocation (and every one with
 * `cold`) starts an environment and runs init under the 10 s cap, an init that fails or times out
 * is re-run inside the invocation under the function timeout, warm environments are reused, and
 * concurrent invocations get separate environments.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { fn, onProgress, signal } = options;
  throwIfAborted(signal);
  const request = options.isolation ?? requestedIsolation();
  const caps = await detectHostCapabilities(request);
  if (request === 'kernel' && caps.mode !== 'kernel') {
    throw new SandboxError(`Kernel isolation is not available: ${caps.portableReasons.join('; ')}. Run as root on Linux, or use LAMBDAFIT_SANDBOX=portable.`, 'E_NO_KERNEL_ISOLATION');
  }
  const network = options.network ?? 'host';
  if (network === 'none' && caps.mode !== 'kernel') {
    throw new SandboxError(`--network none needs kernel isolation, which is not available: ${caps.portableReasons.join('; ')}.`, 'E_NO_NETWORK_ISOLATION');
  }
  const stageRoot = resolve(options.stageRoot ?? join(tmpdir(), 'lambdafit-sandbox'));
  await mkdir(stageRoot, { recursive: true, mode: 0o700 });
  if (!swept) {
    swept = true;
    await sweepStaleSandboxes(caps.mode === 'kernel' ? caps.cgroups : undefined, stageRoot).catch(() => undefined);
  }
  const python = runtimeFamily(fn.runtime) === 'python' ? await detectHostPython() : undefined;
  const plan = planResources(fn.memorySize, caps.cores);
  const isolation = describeIsolation(caps, fn, plan, network, { nodeVersion: process.version, pythonVersion: python?.version, arch: process.arch });
  const region = options.region ?? 'us-east-1';
  const emit = (line: string) => onProgress?.({ type: 'sandbox:log', line });
  const slots = caps.mode === 'kernel' ? new SlotReserve({ caps, stageRoot, plan, ephemeralStorageMB: fn.ephemeralStorage }) : undefined;
  const spec: EnvironmentSpec = {
    slots,
    fn,
    bundleDir: resolve(options.bundleDir),
    caps,
    stageRoot,
    network,
    region,
    logStreamName: logStreamName(new Date(), randomBytes(16).toString('hex')),
    credentials: options.credentials,
    python,
    onLine: emit,
  };
  const arn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`;
  const hostRuntimeVersion = python ? `python ${python.version}` : `node ${process.version}`;
  const pool = new Set<ExecutionEnvironment>();
  const reserved = new Set<ExecutionEnvironment>();
  let closed = false;

  const startEnvironment = async (phase: 'init' | 'invoke', limitMs: number) => {
    const started = await ExecutionEnvironment.start(spec, phase, limitMs);
    if (started.env) {
      if (closed) {
        await started.env.dispose();
        throw new CancelledError();
      }
      pool.add(started.env);
      reserved.add(started.env);
    }
    return started;
  };

  const invoke = async (event: Buffer | string, opts: InvokeOptions = {}): Promise<InvocationResult> => {
    if (closed) throw new SandboxError('The sandbox is closed.', 'E_SANDBOX_CLOSED');
    const abort = opts.signal ?? signal;
    throwIfAborted(abort);
    const payload = Buffer.isBuffer(event) ? event : Buffer.from(event);
    const requestId = randomUUID();
    if (payload.length > MAX_REQUEST_PAYLOAD_BYTES) {
      const body = { Type: 'User', message: `${payload.length} byte payload is too large for the RequestResponse invocation type (limit ${MAX_REQUEST_PAYLOAD_BYTES} bytes)` };
      const bytes = Buffer.from(JSON.stringify(body));
      return { requestId, cold: false, initDurationMs: null, durationMs: 0, billedDurationMs: 0, maxMemoryUsedMB: 0, tmpPeakBytes: 0, cpuTimeMs: null, status: 'error', errorType: 'RequestTooLargeException', response: body, payload: bytes, contentType: 'application/json', logs: [], hints: [] };
    }
    const logs: string[] = [];
    const log = (line: string, live = true) => {
      logs.push(line);
      if (live) emit(line);
    };

    const hints: string[] = [];
    const timeoutMs = fn.timeout * 1000;

    if (opts.cold) {
      // Idle environments are retired in the background: tearing one down is not part of a cold start.
      for (const env of [...pool]) if (!reserved.has(env)) void retire(env);
    }
    let env = opts.cold ? undefined : [...pool].find((e) => e.available && !reserved.has(e));
    if (env) reserved.add(env);
    let init: InitOutcome | undefined;
    let suppressedInitMs = 0;
    let outcome: InvokeOutcome | undefined;
    let failedInit: InitOutcome | undefined;
    const onAbort = () => void (env ? retire(env) : undefined);
    abort?.addEventListener('abort', onAbort, { once: true });
    try {
      if (!env) {
        log(formatInitStart(fn.runtime, region, hostRuntimeVersion));
        const first = await startEnvironment('init', INIT_TIMEOUT_MS);
        init = first.init;
        for (const l of init.logs) log(l, false);
        hints.push(...init.hints);
        env = first.env;
        if (!env) {
          log(formatInitReport({ initDurationMs: init.durationMs, phase: 'init', status: init.status === 'timeout' ? 'timeout' : 'error', errorType: init.errorType }));
          // Lambda re-runs a failed or timed-out init inside the first invocation, under the function timeout.
          log(formatStart(requestId));
          const t0 = performance.now();
          const again = await startEnvironment('invoke', timeoutMs);
          suppressedInitMs = performance.now() - t0;
          for (const l of again.init.logs) log(l, false);
          env = again.env;
          if (!env) failedInit = again.init;
        } else {
          log(formatStart(requestId));
        }
      } else {
        log(formatStart(requestId));
      }
      throwIfAborted(abort);
      if (env) {
        outcome = await env.invoke({
          requestId,
          body: payload,
          timeoutMs: Math.max(1, timeoutMs - suppressedInitMs),
          invokedFunctionArn: arn,
          traceId: traceId(),
          clientContext: opts.clientContext,
        });
        for (const l of outcome.logs) log(l, false);
      }
    } finally {
      abort?.removeEventListener('abort', onAbort);
      if (env) reserved.delete(env);
      if (env?.exited) pool.delete(env);
    }
    throwIfAborted(abort);

    const result = finishInvocation({ requestId, fn, init, failedInit, outcome, suppressedInitMs, logs, log });
    result.hints.unshift(...hints);
    result.hints.push(...(await explainPermissionErrors([...result.logs, result.payload.toString('utf8')], { taskRoot: spec.bundleDir, layers: fn.layers, portable: caps.mode === 'portable' })));
    return result;
  };

  const retiring = new Set<Promise<void>>();
  const retire = async (env: ExecutionEnvironment) => {
    pool.delete(env);
    reserved.delete(env);
    const done = env.dispose();
    retiring.add(done);
    await done.finally(() => retiring.delete(done));
  };

  return {
    isolation,
    fn,
    invoke,
    async close() {
      closed = true;
      await Promise.all([...pool].map((env) => retire(env)));
      await Promise.allSettled([...retiring]);
      await slots?.close();
    },
  };
}
