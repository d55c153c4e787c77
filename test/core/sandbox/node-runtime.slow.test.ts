import { afterAll, describe, expect, it } from 'vitest';
import { json, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

// The Node.js runtime's semantics (sandbox/node), run in portable mode so they hold with or
// without root; the kernel-isolated runs are covered in sandbox-runtimes.slow.test.ts.
const portable = { isolation: 'portable' as const };
afterAll(removeBundles);

describe('Node.js runtime', () => {
  it('passes a context with Lambda fields and logs in Lambda text format, one event per call', async () => {
    const dir = await makeBundle({
      'package.json': '{"type":"commonjs"}',
      'index.js': `exports.handler = async (event, context) => {
        console.log('line one\\nline two');
        console.warn('careful', { a: 1 });
        return { fn: context.functionName, mem: context.memoryLimitInMB, id: context.awsRequestId, arn: context.invokedFunctionArn,
          remaining: context.getRemainingTimeInMillis(), group: context.logGroupName, trace: process.env._X_AMZN_TRACE_ID,
          cc: context.clientContext, waits: context.callbackWaitsForEmptyEventLoop };
      };`,
    });
    const sb = await openSandbox(dir, { memorySize: 256, timeout: 7 }, portable);
    try {
      const r = await sb.invoke('{}', { clientContext: '{"custom":{"k":"v"}}' });
      expect(r.status).toBe('success');
      const res = json<Record<string, unknown>>(r.response);
      expect(res.id).toBe(r.requestId);
      expect(res.mem).toBe('256');
      expect(res.arn).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:/);
      expect(res.remaining).toBeGreaterThan(5000);
      expect(res.remaining).toBeLessThanOrEqual(7000);
      expect(res.group).toBe(`/aws/lambda/${res.fn}`);
      expect(res.trace).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0/);
      expect(res.cc).toEqual({ custom: { k: 'v' } });
      expect(res.waits).toBe(true);
      const info = r.logs.find((l) => l.includes('\tINFO\t'));
      expect(info).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${r.requestId}\\tINFO\\tline one\\nline two$`));
      expect(r.logs.some((l) => l.includes(`\t${r.requestId}\tWARN\tcareful { a: 1 }`))).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('waits for the empty event loop after a callback unless told not to', async () => {
    const dir = await makeBundle({
      'package.json': '{"type":"commonjs"}',
      'index.js': `let ticks = 0;
      exports.handler = (event, context, callback) => {
        if (event.count) return Promise.resolve(ticks);
        context.callbackWaitsForEmptyEventLoop = event.wait;
        setTimeout(() => { ticks++; }, event.ms);
        callback(null, 'called back');
      };`,
    });
    const sb = await openSandbox(dir, { timeout: 20 }, portable);
    try {
      // Waiting: the response goes out only once the timer has run.
      expect((await sb.invoke('{"wait":true,"ms":200}')).response).toBe('called back');
      expect((await sb.invoke('{"count":true}')).response).toBe(1);
      // Not waiting: the response goes out at once, with the 10 s timer still pending.
      expect((await sb.invoke('{"wait":false,"ms":10000}')).response).toBe('called back');
      expect((await sb.invoke('{"count":true}')).response).toBe(1);
    } finally {
      await sb.close();
    }
  });

  it('reports init failures with the runtime client error types', async () => {
    const cases: [Record<string, string>, string, string, RegExp][] = [
      [{ 'other.js': 'exports.x = 1;' }, 'index.handler', 'Runtime.ImportModuleError', /Error: Cannot find module 'index'/],
      [{ 'index.js': 'exports.other = () => 1;' }, 'index.handler', 'Runtime.HandlerNotFound', /index\.handler is undefined or not exported/],
      [{ 'index.js': 'exports.handler = async () => {' }, 'index.handler', 'Runtime.UserCodeSyntaxError', /SyntaxError/],
      [{ 'index.js': 'exports.handler = 1;' }, 'index', 'Runtime.MalformedHandlerName', /Bad handler/],
      [{ 'index.js': 'throw new TypeError("bad init");' }, 'index.handler', 'TypeError', /bad init/],
    ];
    for (const [files, handler, errorType, message] of cases) {
      const dir = await makeBundle({ 'package.json': '{"type":"commonjs"}', ...files });
      const sb = await openSandbox(dir, { handler, runtime: 'nodejs20.x' }, portable);
      try {
        const r = await sb.invoke('{}');
        expect(r.status, handler).toBe('error');
        expect(r.errorType).toBe(errorType);
        const body = json<{ errorType: string; errorMessage: string; trace: string[] }>(r.response);
        expect(body.errorType).toBe(errorType);
        expect(body.errorMessage).toMatch(message);
        expect(Array.isArray(body.trace)).toBe(true);
        // Lambda logs the failed init, re-runs it inside the invocation, and logs that too.
        expect(r.logs.filter((l) => l.startsWith('INIT_REPORT')).map((l) => l.split('\t')[1])).toEqual(['Phase: init', 'Phase: invoke']);
        expect(r.logs.some((l) => l.includes('\tundefined\tERROR\tUncaught Exception \t{'))).toBe(true);
      } finally {
        await sb.close();
      }
    }
  });

  it('turns an oversized response into Function.ResponseSizeTooLarge and keeps the environment', async () => {
    const dir = await makeBundle({ 'package.json': '{"type":"commonjs"}', 'index.js': 'exports.handler = async (e) => "x".repeat(e.bytes);' });
    const sb = await openSandbox(dir, {}, portable);
    try {
      const big = await sb.invoke('{"bytes":6300000}');
      expect(big.errorType).toBe('Function.ResponseSizeTooLarge');
      expect(big.response).toEqual({ errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
      const ok = await sb.invoke('{"bytes":10}');
      expect(ok.status).toBe('success');
      expect(ok.cold).toBe(false);
      const request = await sb.invoke(Buffer.alloc(6_291_457, 0x20));
      expect(request.errorType).toBe('RequestTooLargeException');
    } finally {
      await sb.close();
    }
  });

  it('streams responses, with the HTTP prelude and mid-stream errors', async () => {
    const dir = await makeBundle({
      'index.mjs': `export const handler = awslambda.streamifyResponse(async (event, stream) => {
        if (event.http) stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { a: 'b' } });
        else stream.setContentType('text/plain');
        stream.write('hello ');
        if (event.fail) throw new Error('mid-stream');
        stream.end('world');
      });`,
    });
    const sb = await openSandbox(dir, { handler: 'index.handler' }, portable);
    try {
      const plain = await sb.invoke('{}');
      expect(plain.status).toBe('success');
      expect(plain.contentType).toBe('text/plain');
      expect(plain.payload.toString()).toBe('hello world');
      const http = await sb.invoke('{"http":true}');
      expect(http.contentType).toBe('application/vnd.awslambda.http-integration-response');
      expect(http.payload.toString()).toBe(`{"statusCode":201,"headers":{"a":"b"}}${'\0'.repeat(8)}hello world`);
      const failed = await sb.invoke('{"fail":true}');
      expect(failed.status).toBe('error');
      expect(failed.errorType).toBe('Error');
      expect(json<{ errorMessage: string }>(failed.response).errorMessage).toBe('mid-stream');
    } finally {
      await sb.close();
    }
  });

  it('reports a handler that exits as Runtime.ExitError and starts a new environment next time', async () => {
    const dir = await makeBundle({ 'package.json': '{"type":"commonjs"}', 'index.js': 'exports.handler = async (e) => { if (e.exit) process.exit(3); return process.pid; };' });
    const sb = await openSandbox(dir, {}, portable);
    try {
      const first = await sb.invoke('{}');
      const exit = await sb.invoke('{"exit":true}');
      expect(exit.errorType).toBe('Runtime.ExitError');
      expect(exit.response).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${exit.requestId} Error: Runtime exited with error: exit status 3` });
      expect(exit.logs).toContain(`RequestId: ${exit.requestId} Error: Runtime exited with error: exit status 3`);
      const after = await sb.invoke('{}');
      expect(after.cold).toBe(true);
      expect(after.response).not.toBe(first.response);
    } finally {
      await sb.close();
    }
  });
});
