/**
 * The one error family lambdafit throws on purpose. Each carries a stable `code` and the process
 * exit code the CLI maps it to (DESIGN §3). Messages are one sentence naming the file and the fix.
 */
export class LambdafitError extends Error {
  /** Stable machine-readable code, e.g. `E_ZIP_SLIP`. */
  readonly code: string;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, code: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad flags or arguments (exit 2). */
export class UsageError extends LambdafitError {
  constructor(message: string, code = 'E_USAGE') {
    super(message, code, 2);
  }
}

/** Invalid `lambdafit.json` or rule file (exit 2). */
export class ConfigError extends LambdafitError {
  /** Each problem as `dotted.path: message`. */
  readonly problems: string[];
  constructor(message: string, problems: string[] = [], code = 'E_CONFIG') {
    super(message, code, 2);
    this.problems = problems;
  }
}

/** Unreadable, hostile or corrupt input: archives, models, bundles (exit 2). */
export class InputError extends LambdafitError {
  constructor(message: string, code = 'E_INPUT', options?: { cause?: unknown }) {
    super(message, code, 2, options);
  }
}

/** The sandbox could not run or verify the function (exit 3). */
export class SandboxError extends LambdafitError {
  constructor(message: string, code = 'E_SANDBOX', options?: { cause?: unknown }) {
    super(message, code, 3, options);
  }
}

/** The operation was cancelled through its AbortSignal (exit 130). */
export class CancelledError extends LambdafitError {
  constructor(message = 'Cancelled.') {
    super(message, 'E_CANCELLED', 130);
  }
}

/** Throws CancelledError when the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
