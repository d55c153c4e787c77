import type { EnvironmentExit } from './environment-process.js';
import type { RuntimeApiEvent } from './runtime-api-server.js';
import { MAX_RESPONSE_PAYLOAD_BYTES } from './sandbox-limits.js';

/** What ended an invocation: a Runtime API event, the runtime's exit, or the function timeout. */
export type InvocationEnd = RuntimeApiEvent | { type: 'exit'; exit: EnvironmentExit } | { type: 'timeout' };

/** The invoker-facing result of an invocation end, before measurements. */
export interface ClassifiedEnd {
  /** How the invocation ended. */
  status: 'success' | 'error' | 'timeout';
  /** Lambda's error type, for failures. */
  errorType?: string;
  /** The response, or the error body Lambda returns. */
  payload: Buffer;
  /** Content type the invoker receives. */
  contentType: string;
  /** The kernel (or the watchdog) killed the runtime for memory. */
  outOfMemory: boolean;
  /** The end killed (or must kill) the environment. */
  endsEnvironment: boolean;
}

/** Lambda's description of a runtime that exited: `exit status 1`, `signal: killed`. */
export function describeExit(exit: EnvironmentExit): string {
  if (exit.signal) return `signal: ${exit.signal === 'SIGKILL' ? 'killed' : exit.signal.replace(/^SIG/, '').toLowerCase()}`;
  if (exit.code === 137 || exit.outOfMemory) return 'signal: killed';
  return `exit status ${exit.code ?? 'unknown'}`;
}

/** A platform error body, as Lambda returns it for failures the runtime did not report itself. */
export function platformErrorBody(errorType: string, requestId: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage: `RequestId: ${requestId} Error: ${message}` }));
}

/** The `errorType` field of a JSON error body, if it has one. */
export function jsonErrorType(body: Buffer): string | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown>).errorType;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps how an invocation ended to what the invoker receives, with Lambda's error types and bodies
 * (reference/lambda-facts.md §2, §5): the runtime's own error body and type; Function.ResponseSizeTooLarge;
 * Sandbox.Timedout "Task timed out after N.NN seconds"; Runtime.OutOfMemory or Runtime.ExitError
 * "Runtime exited with error: …".
 */
export function classifyInvocationEnd(end: InvocationEnd, requestId: string, timeoutMs: number): ClassifiedEnd {
  const json = 'application/json';
  const base = { contentType: json, outOfMemory: false, endsEnvironment: false };
  switch (end.type) {
    case 'response':
      // Buffered responses reach the invoker as JSON whatever the runtime declared; streams keep their type.
      return { ...base, status: 'success', payload: end.body, contentType: end.streamed ? end.contentType : json };
    case 'invocation-error':
      return { ...base, status: 'error', errorType: end.errorType ?? jsonErrorType(end.body) ?? 'Runtime.Unknown', payload: end.body };
    case 'response-too-large': {
      const errorType = 'Function.ResponseSizeTooLarge';
      const message = `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD_BYTES} bytes).`;
      return { ...base, status: 'error', errorType, payload: Buffer.from(JSON.stringify({ errorMessage: message, errorType })) };
    }
    case 'timeout':
      return {
        ...base,
        status: 'timeout',
        errorType: 'Sandbox.Timedout',
        payload: platformErrorBody('Sandbox.Timedout', requestId, `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
        endsEnvironment: true,
      };
    case 'exit': {
      const errorType = end.exit.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
      const payload = platformErrorBody(errorType, requestId, `Runtime exited with error: ${describeExit(end.exit)}`);
      return { ...base, status: 'error', errorType, payload, outOfMemory: end.exit.outOfMemory, endsEnvironment: true };
    }
    default:
      return {
        ...base,
        status: 'error',
        errorType: 'Runtime.Unknown',
        payload: platformErrorBody('Runtime.Unknown', requestId, 'the runtime asked for the next event without replying to this one'),
      };
  }
}
