import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionConfig } from '../../../src/core/config/resolve-function-config.js';
import type { InvocationResult, Sandbox } from '../../../src/core/sandbox/create-sandbox.js';
import { type InvokeApiServer, logTail, startInvokeApiServer } from '../../../src/core/sandbox/invoke-api-server.js';

// The HTTP layer of `serve` over a scripted Sandbox (the sandbox itself is exercised end to end
// in invoke-api-server.slow.test.ts).
const fn = { functionName: 'qa', memorySize: 128 } as FunctionConfig;
const seen: { payload: string; clientContext?: string }[] = [];

function scriptedSandbox(reply: (payload: string) => Partial<InvocationResult>): Sandbox {
  return {
    fn,
    isolation: {} as Sandbox['isolation'],
    async invoke(event, options) {
      const payload = event.toString();
      seen.push({ payload, clientContext: options?.clientContext });
      const r = reply(payload);
      const body = Buffer.from(typeof r.response === 'string' ? r.response : JSON.stringify(r.response ?? null));
      return { requestId: 'rid-1', cold: true, initDurationMs: 1, durationMs: 1, billedDurationMs: 2, maxMemoryUsedMB: 40, tmpPeakBytes: 0, cpuTimeMs: 1, status: 'success', errorType: null, response: null, payload: body, contentType: 'application/json', logs: ['START RequestId: rid-1 Version: $LATEST', 'hello', 'END RequestId: rid-1'], hints: [], ...r };
    },
    async close() {},
  };
}

function post(url: string, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let server: InvokeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  seen.length = 0;
});

describe('Invoke API server', () => {
  it('returns the function response, and function errors as 200 with X-Amz-Function-Error', async () => {
    server = await startInvokeApiServer({ port: 0, sandbox: scriptedSandbox((p) => (p.includes('fail') ? { status: 'error', errorType: 'Error', response: { errorType: 'Error', errorMessage: 'x', trace: [] } } : { response: { ok: true } })) });
    const ok = await post(server.url, '/2015-03-31/functions/qa/invocations', '{"q":1}');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true });
    expect(ok.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(ok.headers['x-amz-function-error']).toBeUndefined();
    const failed = await post(server.url, '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aqa/invocations', '{"fail":1}');
    expect(failed.status).toBe(200);
    expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(failed.body).errorType).toBe('Error');
  });

  it('returns the log tail when asked, decodes the client context, and treats an empty body as {}', async () => {
    server = await startInvokeApiServer({ port: 0, sandbox: scriptedSandbox(() => ({ response: 1 })) });
    const context = Buffer.from('{"custom":{"a":1}}').toString('base64');
    const res = await post(server.url, '/2015-03-31/functions/function/invocations', '', { 'X-Amz-Log-Type': 'Tail', 'X-Amz-Client-Context': context });
    expect(Buffer.from(String(res.headers['x-amz-log-result']), 'base64').toString()).toBe('START RequestId: rid-1 Version: $LATEST\nhello\nEND RequestId: rid-1\n');
    expect(seen[0]).toEqual({ payload: '{}', clientContext: '{"custom":{"a":1}}' });
  });

  it('answers Event with 202, DryRun with 204, and rejects what Lambda rejects', async () => {
    server = await startInvokeApiServer({ port: 0, sandbox: scriptedSandbox(() => ({ response: 1 })) });
    expect((await post(server.url, '/2015-03-31/functions/qa/invocations', '{}', { 'X-Amz-Invocation-Type': 'Event' })).status).toBe(202);
    expect((await post(server.url, '/2015-03-31/functions/qa/invocations', '{}', { 'X-Amz-Invocation-Type': 'DryRun' })).status).toBe(204);
    const missing = await post(server.url, '/2015-03-31/functions/other/invocations', '{}');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(missing.body).message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:other');
    const big = await post(server.url, '/2015-03-31/functions/qa/invocations', Buffer.alloc(6_291_457, 0x20));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).message).toBe('6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)');
    const bigAsync = await post(server.url, '/2015-03-31/functions/qa/invocations', Buffer.alloc(1_048_577, 0x20), { 'X-Amz-Invocation-Type': 'Event' });
    expect(JSON.parse(bigAsync.body).message).toBe('1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)');
    const notJson = await post(server.url, '/2015-03-31/functions/qa/invocations', '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
  });

  it('cuts the log tail to the last 4 KB on a character boundary', () => {
    const lines = ['é'.repeat(3000)];
    const tail = Buffer.from(logTail(lines), 'base64');
    expect(tail.length).toBeLessThanOrEqual(4096);
    expect(tail.toString()).toMatch(/^é+\n$/);
  });
});
