import type { FunctionConfig } from '../config/resolve-function-config.js';
import { throwIfAborted } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import { createSandbox, type InvocationResult } from './create-sandbox.js';
import type { IsolationRequest } from './host-capabilities.js';
import type { IsolationReport } from './isolation-report.js';
import type { SampleEvent } from './resolve-event-files.js';

/** Options of `runFunction`. */
export interface RunFunctionOptions extends OperationOptions {
  /** The bundle folder (see prepareBundle for archives). */
  bundleDir: string;
  /** The function's resolved settings. */
  fn: FunctionConfig;
  /** Events, used in turn. */
  events: SampleEvent[];
  /** Invocations to run; default one per event. */
  invocations?: number;
  /** Every invocation in a fresh environment (a cold start each). */
  cold?: boolean;
  /** `none`: no network but the loopback (kernel mode only). */
  network?: 'host' | 'none';
  /** `auto` (default), `kernel` or `portable`. */
  isolation?: IsolationRequest;
  /** AWS credentials to pass to the function; none by default. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** One invocation in a run report: the `--json` fields, plus which event it used. */
export type RunInvocation = Omit<InvocationResult, 'payload'> & { event: string };

/** What `lambdafit run` reports. */
export interface RunResult {
  /** The function settings the run used. */
  function: Omit<FunctionConfig, 'assumptions'>;
  /** What lambdafit inferred, one sentence each. */
  assumptions: string[];
  /** What the sandbox guaranteed, and what it could not. */
  isolation: IsolationReport;
  /** Every invocation, in order. */
  invocations: RunInvocation[];
  /** True when every invocation succeeded. */
  ok: boolean;
}

/**
 * Runs a function in the sandbox: one cold start, then warm invocations in the same environment
 * (or a cold start for each with `cold`), cycling through the events. The sandbox is always
 * closed at the end, cancellation included.
 */
export async function runFunction(options: RunFunctionOptions): Promise<RunResult> {
  const { fn, events, signal } = options;
  const count = options.invocations ?? events.length;
  const sandbox = await createSandbox({
    bundleDir: options.bundleDir,
    fn,
    network: options.network,
    isolation: options.isolation,
    credentials: options.credentials,
    onProgress: options.onProgress,
    signal,
  });
  const invocations: RunInvocation[] = [];
  try {
    for (let i = 0; i < count; i++) {
      throwIfAborted(signal);
      const event = events[i % events.length]!;
      const { payload: _payload, ...result } = await sandbox.invoke(event.payload, { cold: options.cold, signal });
      invocations.push({ ...result, event: event.name });
    }
  } finally {
    await sandbox.close();
  }
  const { assumptions, ...fnFields } = fn;
  return {
    function: fnFields,
    assumptions,
    isolation: sandbox.isolation,
    invocations,
    ok: invocations.every((i) => i.status === 'success'),
  };
}
