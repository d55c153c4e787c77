import { describe, expect, it } from 'vitest';
import { classifyInvocationEnd, describeExit } from '../../../src/core/sandbox/classify-invocation-event.js';

const body = (b: Buffer) => JSON.parse(b.toString());

describe('classifyInvocationEnd', () => {
  it('passes responses through, as JSON unless streamed', () => {
    const buffered = classifyInvocationEnd({ type: 'response', requestId: 'r', body: Buffer.from('1'), contentType: 'text/plain', streamed: false }, 'r', 3000);
    expect(buffered).toMatchObject({ status: 'success', contentType: 'application/json', endsEnvironment: false });
    const streamed = classifyInvocationEnd({ type: 'response', requestId: 'r', body: Buffer.from('1'), contentType: 'text/plain', streamed: true }, 'r', 3000);
    expect(streamed.contentType).toBe('text/plain');
  });

  it("uses the runtime's error type, from the header or else the body", () => {
    const fromBody = classifyInvocationEnd({ type: 'invocation-error', requestId: 'r', body: Buffer.from('{"errorType":"TypeError"}'), streamed: false }, 'r', 3000);
    expect(fromBody).toMatchObject({ status: 'error', errorType: 'TypeError' });
    const unknown = classifyInvocationEnd({ type: 'invocation-error', requestId: 'r', body: Buffer.from('not json'), streamed: false }, 'r', 3000);
    expect(unknown.errorType).toBe('Runtime.Unknown');
  });

  it('produces Lambda platform bodies for timeouts, OOM kills, crashes and oversized responses', () => {
    const timeout = classifyInvocationEnd({ type: 'timeout' }, 'id-1', 1500);
    expect(timeout).toMatchObject({ status: 'timeout', errorType: 'Sandbox.Timedout', endsEnvironment: true });
    expect(body(timeout.payload)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: id-1 Error: Task timed out after 1.50 seconds' });
    const oom = classifyInvocationEnd({ type: 'exit', exit: { code: null, signal: 'SIGKILL', outOfMemory: true, tmpExceeded: false } }, 'id-2', 1000);
    expect(body(oom.payload)).toEqual({ errorType: 'Runtime.OutOfMemory', errorMessage: 'RequestId: id-2 Error: Runtime exited with error: signal: killed' });
    const crash = classifyInvocationEnd({ type: 'exit', exit: { code: 1, signal: null, outOfMemory: false, tmpExceeded: false } }, 'id-3', 1000);
    expect(body(crash.payload).errorMessage).toBe('RequestId: id-3 Error: Runtime exited with error: exit status 1');
    const big = classifyInvocationEnd({ type: 'response-too-large', requestId: 'r', bytes: 7e6 }, 'r', 1000);
    expect(body(big.payload)).toEqual({ errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
    expect(describeExit({ code: null, signal: 'SIGSEGV', outOfMemory: false, tmpExceeded: false })).toBe('signal: segv');
  });
});
