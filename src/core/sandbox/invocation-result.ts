/** What one invocation of a sandboxed function produced, and how it can be asked for. */

/** One invocation as the `--json` output and the Invoke API report it. */
export interface InvocationResult {
  /** The invocation's request id (a UUID). */
  requestId: string;
  /** The invocation started a new environment (ran init). */
  cold: boolean;
  /** Init Duration of the REPORT line: only for a cold invocation whose init succeeded in the init phase. */
  initDurationMs: number | null;
  /** REPORT Duration: event delivery to reply (a re-run init included). */
  durationMs: number;
  /** REPORT Billed Duration: ⌈Duration (+ Init Duration when cold)⌉. */
  billedDurationMs: number;
  /** REPORT Max Memory Used: the measured peak of the process tree, MB. */
  maxMemoryUsedMB: number;
  /** Peak bytes used in /tmp. */
  tmpPeakBytes: number;
  /** CPU time used by the invocation, ms (null when the host cannot tell). */
  cpuTimeMs: number | null;
  /** `success`, `error` or `timeout`. */
  status: 'success' | 'error' | 'timeout';
  /** Lambda's error type (Runtime.OutOfMemory, Sandbox.Timedout, the function's own…), null on success. */
  errorType: string | null;
  /** The response (or error body) parsed as JSON when it is JSON, else as text. */
  response: unknown;
  /** The raw response or error body. */
  payload: Buffer;
  /** Content type of `payload`. */
  contentType: string;
  /** Log lines as CloudWatch would show them, platform lines included. */
  logs: string[];
  /** lambdafit's explanations of failures (e.g. a file the Lambda user cannot read). */
  hints: string[];
}

/** Per-invocation options. */
export interface InvokeOptions {
  /** Start a fresh environment even when a warm one is idle (and retire the idle ones). */
  cold?: boolean;
  /** JSON text for `Lambda-Runtime-Client-Context`. */
  clientContext?: string;
  /** Cancels the invocation (the environment is killed). */
  signal?: AbortSignal;
}

/** A response or error body parsed as JSON when it is JSON, else as UTF-8 text. */
export function parsePayload(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
