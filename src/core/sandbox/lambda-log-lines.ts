import { createHash } from 'node:crypto';

/**
 * The platform log lines Lambda writes around every invocation, in AWS's exact format and field
 * order (reference/lambda-facts.md §5): REPORT fields are tab-separated with a trailing tab,
 * `Init Duration` comes after `Max Memory Used`, and failures append `Status:` and `Error Type:`.
 * Durations print with two decimals; memory in whole MB.
 */

/** Figures of one REPORT line. */
export interface ReportFields {
  /** The invocation's request id. */
  requestId: string;
  /** Invoke phase duration in ms (for a re-run init inside the invoke, it includes that init). */
  durationMs: number;
  /** Billed Duration, whole ms. */
  billedDurationMs: number;
  /** Configured memory, MB. */
  memorySizeMB: number;
  /** Measured peak memory, MB. */
  maxMemoryUsedMB: number;
  /** Only on the first invocation of an environment that initialised in the init phase. */
  initDurationMs?: number;
  /** Only for failed invocations. */
  status?: 'error' | 'timeout';
  /** With `status: error`, e.g. `Runtime.OutOfMemory`. */
  errorType?: string;
}

/** Figures of one INIT_REPORT line (written only when init fails or times out). */
export interface InitReportFields {
  /** Time the init took until it failed or timed out, ms. */
  initDurationMs: number;
  /** `init` for the init phase; `invoke` when init re-ran inside the first invocation. */
  phase: 'init' | 'invoke';
  /** How the init ended. */
  status: 'error' | 'timeout';
  /** With `status: error`, the error type. */
  errorType?: string;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** `INIT_START Runtime Version: nodejs:20.v0\tRuntime Version ARN: arn:aws:lambda:…` */
export function formatInitStart(runtime: string, region: string, hostRuntimeVersion: string): string {
  // nodejs20.x → nodejs:20, python3.11 → python:3.11, provided.al2023 → provided:al2023; v0 marks
  // a local build, and the ARN hash changes with the host interpreter, as AWS's does per release.
  const match = /^([a-z]+)\.?(.*?)(?:\.x)?$/.exec(runtime);
  const label = `${match?.[1] ?? runtime}:${match?.[2] ?? ''}.v0`;
  const digest = createHash('sha256').update(`lambdafit:${runtime}:${hostRuntimeVersion}`).digest('hex');
  return `INIT_START Runtime Version: ${label}\tRuntime Version ARN: arn:aws:lambda:${region}::runtime:${digest}`;
}

/** `START RequestId: <id> Version: $LATEST` */
export function formatStart(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** `END RequestId: <id>` */
export function formatEnd(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** The REPORT line, fields in AWS's order, each followed by a tab. */
export function formatReport(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${ms(fields.durationMs)}`,
    `Billed Duration: ${fields.billedDurationMs} ms`,
    `Memory Size: ${fields.memorySizeMB} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMB} MB`,
  ];
  if (fields.initDurationMs !== undefined) parts.push(`Init Duration: ${ms(fields.initDurationMs)}`);
  if (fields.status) parts.push(`Status: ${fields.status}`);
  if (fields.status === 'error' && fields.errorType) parts.push(`Error Type: ${fields.errorType}`);
  return parts.join('\t') + '\t';
}

/** `INIT_REPORT Init Duration: 9999.79 ms\tPhase: init\tStatus: timeout` */
export function formatInitReport(fields: InitReportFields): string {
  const parts = [`INIT_REPORT Init Duration: ${ms(fields.initDurationMs)}`, `Phase: ${fields.phase}`, `Status: ${fields.status}`];
  if (fields.status === 'error' && fields.errorType) parts.push(`Error Type: ${fields.errorType}`);
  return parts.join('\t');
}

/** The function-log line Lambda writes when an invocation times out. */
export function formatTimeoutLine(requestId: string, timeoutSeconds: number, at: Date): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/**
 * Billed duration: rounded up to the next millisecond (since December 2020). Since 2025-08-01 the
 * init of on-demand functions is billed too, so a cold invocation bills ⌈Duration + Init⌉
 * (1513.37 + 303.63 → 1817 ms). Sums in hundredths of a millisecond, the printed precision, so
 * binary floating point cannot push an exact sum to the next millisecond.
 */
export function billedDurationMs(durationMs: number, initDurationMs = 0): number {
  const hundredths = Math.round(durationMs * 100) + Math.round(initDurationMs * 100);
  return Math.max(1, Math.ceil(hundredths / 100));
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`, the log stream name format of Lambda. */
export function logStreamName(at: Date, randomHex: string): string {
  const d = at.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[$LATEST]${randomHex}`;
}
