import type { FunctionConfig } from '../config/resolve-function-config.js';
import { platformErrorBody } from './classify-invocation-event.js';
import type { InitOutcome, InvokeOutcome } from './execution-environment.js';
import { type InvocationResult, parsePayload } from './invocation-result.js';
import { billedDurationMs, formatEnd, formatInitReport, formatReport, formatTimeoutLine } from './lambda-log-lines.js';

/** How an invocation went, gathered by the sandbox. */
export interface FinishInput {
  /** The invocation's request id. */
  requestId: string;
  /** The function settings. */
  fn: FunctionConfig;
  /** The init phase run for this invocation, if it was cold. */
  init?: InitOutcome;
  /** Set when init also failed when re-run inside the invocation. */
  failedInit?: InitOutcome;
  /** Set when the event reached the runtime. */
  outcome?: InvokeOutcome;
  /** Time the re-run init took inside the invocation (it is part of Duration). */
  suppressedInitMs: number;
  /** The invocation's log so far; the closing lines are appended with `log`. */
  logs: string[];
  /** Appends a line to `logs` (and shows it live). */
  log: (line: string) => void;
}

const MiB = 1024 * 1024;

/**
 * Closes an invocation as Lambda does: the INIT_REPORT of an init that failed again inside the
 * invocation, the timeout or runtime-exit line, END and REPORT (billing the init of a cold
 * start, since August 2025), and the result the `--json` output and the Invoke API return.
 */
export function finishInvocation(input: FinishInput): InvocationResult {
  const { requestId, fn, failedInit, outcome, log } = input;
  const hints: string[] = [];
  let status: InvocationResult['status'];
  let errorType: string | undefined;
  let body: Buffer;
  let contentType = 'application/json';
  let durationMs = input.suppressedInitMs;
  let maxMemoryUsedBytes = 0;
  let tmpPeakBytes = 0;
  let cpuTimeMs: number | null = null;
  if (failedInit || !outcome) {
    const failed = failedInit!;
    status = failed.status === 'timeout' ? 'timeout' : 'error';
    errorType = status === 'timeout' ? 'Sandbox.Timedout' : failed.errorType;
    hints.push(...failed.hints);
    maxMemoryUsedBytes = failed.peakMemoryBytes;
    log(formatInitReport({ initDurationMs: failed.durationMs, phase: 'invoke', status: status === 'timeout' ? 'timeout' : 'error', errorType }));
    body =
      status === 'timeout'
        ? platformErrorBody('Sandbox.Timedout', requestId, `Task timed out after ${fn.timeout.toFixed(2)} seconds`)
        : (failed.errorBody ?? platformErrorBody(errorType ?? 'Runtime.Unknown', requestId, failed.errorMessage ?? 'init failed'));
  } else {
    status = outcome.status;
    errorType = outcome.errorType;
    body = outcome.payload;
    contentType = outcome.contentType;
    durationMs += outcome.durationMs;
    maxMemoryUsedBytes = outcome.maxMemoryUsedBytes;
    tmpPeakBytes = outcome.tmpPeakBytes;
    cpuTimeMs = outcome.cpuTimeMs ?? null;
  }
  if (status === 'timeout') log(formatTimeoutLine(requestId, fn.timeout, new Date()));
  if (errorType === 'Runtime.OutOfMemory' || errorType === 'Runtime.ExitError') {
    const message = (parsePayload(body) as { errorMessage?: string }).errorMessage;
    if (message) log(message);
  }
  const initDurationMs = input.init?.status === 'ok' ? input.init.durationMs : null;
  const maxMemoryUsedMB = Math.max(1, Math.round(maxMemoryUsedBytes / MiB));
  const billed = billedDurationMs(durationMs, initDurationMs ?? 0);
  log(formatEnd(requestId));
  log(
    formatReport({
      requestId,
      durationMs,
      billedDurationMs: billed,
      memorySizeMB: fn.memorySize,
      maxMemoryUsedMB,
      initDurationMs: initDurationMs ?? undefined,
      status: status === 'success' ? undefined : status,
      errorType,
    }),
  );
  return {
    requestId,
    cold: input.init !== undefined,
    initDurationMs,
    durationMs,
    billedDurationMs: billed,
    maxMemoryUsedMB,
    tmpPeakBytes,
    cpuTimeMs,
    status,
    errorType: errorType ?? null,
    response: parsePayload(body),
    payload: body,
    contentType,
    logs: input.logs,
    hints,
  };
}
