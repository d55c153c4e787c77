import type { FunctionConfig } from '../config/resolve-function-config.js';
import { throwIfAborted } from '../errors.js';
import type { OutputMismatch, StateMeasurement } from '../plan/fit-plan.js';
import { createSandbox, type InvocationResult } from '../sandbox/create-sandbox.js';
import type { SampleEvent } from '../sandbox/resolve-event-files.js';
import { compareResponses } from './compare-responses.js';

/** Options of {@link measureBundleState}. */
export interface MeasureBundleStateOptions {
  /** The state's folder (a staging view). */
  bundleDir: string;
  fn: FunctionConfig;
  /** Sample events: the first is the cold start, then every event runs warm. */
  events: readonly SampleEvent[];
  /** Golden responses per invocation (from the baseline); absent when measuring the baseline. */
  golden?: readonly unknown[];
  /** Relative tolerance for numbers in responses. */
  numericTolerance: number;
  /** Response paths to skip when comparing. */
  ignore?: readonly string[];
  /** Extra environment variables for this run (e.g. NODE_OPTIONS for the trace hook). */
  environment?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** A measurement plus the responses, which become the golden outputs when this is the baseline. */
export interface BundleStateRun {
  measurement: StateMeasurement;
  /** Parsed response of each invocation, in order. */
  responses: unknown[];
  /** Every log line of every invocation (init included). */
  logs: string[];
}

function describeFailure(r: InvocationResult): string {
  const body = r.response as { errorMessage?: unknown } | null;
  const message = typeof body?.errorMessage === 'string' ? body.errorMessage : typeof r.response === 'string' ? r.response : JSON.stringify(r.response);
  return `${r.errorType ?? r.status}: ${String(message).slice(0, 300)}`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Verifies one bundle state in the sandbox: a cold start with the first event, then every event
 * warm in the same environment, each response compared with the golden one. Stops at the first
 * failing invocation. The sandbox is always closed.
 */
export async function measureBundleState(options: MeasureBundleStateOptions): Promise<BundleStateRun> {
  const { events, golden, signal } = options;
  const plan = [events[0]!, ...events];
  const fn = options.environment ? { ...options.fn, environment: { ...options.fn.environment, ...options.environment } } : options.fn;
  const sandbox = await createSandbox({ bundleDir: options.bundleDir, fn, signal });
  const logs: string[] = [];
  const responses: unknown[] = [];
  const mismatches: OutputMismatch[] = [];
  const warm: number[] = [];
  let init: number | null = null;
  let cold = 0;
  let memory = 0;
  let tmpPeak = 0;
  let error: string | undefined;
  try {
    for (let i = 0; i < plan.length; i++) {
      throwIfAborted(signal);
      const event = plan[i]!;
      const r = await sandbox.invoke(event.payload, { cold: i === 0, signal });
      memory = Math.max(memory, r.maxMemoryUsedMB);
      tmpPeak = Math.max(tmpPeak, r.tmpPeakBytes);
      logs.push(...r.logs);
      if (i === 0) {
        init = r.initDurationMs;
        cold = r.durationMs;
      } else warm.push(r.durationMs);
      if (r.status !== 'success') {
        error = `${event.name}: ${describeFailure(r)}`;
        break;
      }
      responses.push(r.response);
      if (golden) mismatches.push(...compareResponses(golden[i], r.response, { event: event.name, numericTolerance: options.numericTolerance, ignore: options.ignore }));
    }
  } finally {
    await sandbox.close();
  }
  if (!error && mismatches.length > 0) error = `output differs from the baseline at ${mismatches[0]!.event} ${mismatches[0]!.path}: expected ${mismatches[0]!.expected}, got ${mismatches[0]!.got}`;
  return {
    measurement: {
      passed: error === undefined,
      initDurationMs: init,
      coldDurationMs: cold,
      warmDurationMs: median(warm),
      maxMemoryUsedMB: memory,
      invocations: responses.length + (error && mismatches.length === 0 ? 1 : 0),
      mismatches,
      ...(error ? { error } : {}),
      ...(tmpPeak > 0 ? { tmpPeakBytes: tmpPeak } : {}),
    },
    responses,
    logs,
  };
}
