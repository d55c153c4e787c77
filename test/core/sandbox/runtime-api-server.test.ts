import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type InvocationDelivery, RuntimeApiServer, type RuntimeApiEvent } from '../../../src/core/sandbox/runtime-api-server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(address: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, trailers?: Record<string, string>): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path: `/2018-06-01${path}`, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    if (trailers) req.addTrailers(trailers);
    req.end();
  });
}

const delivery = (id: string): InvocationDelivery => ({
  requestId: id,
  body: Buffer.from('{"q":1}'),
  deadlineMs: 1_700_000_000_000,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
  traceId: 'Root=1-abc',
  clientContext: '{"custom":{"a":1}}',
});

let server: RuntimeApiServer | undefined;
const events: RuntimeApiEvent[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  events.length = 0;
});

describe('RuntimeApiServer', () => {
  it('hands the event to a waiting /next with every Lambda header, then accepts the response with 202', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    const next = call(server.address, 'GET', '/runtime/invocation/next');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.waiting).toBe(true);
    server.deliver(delivery('req-1'));
    const got = await next;
    expect(got.status).toBe(200);
    expect(got.body).toBe('{"q":1}');
    expect(got.headers['lambda-runtime-aws-request-id']).toBe('req-1');
    expect(got.headers['lambda-runtime-deadline-ms']).toBe('1700000000000');
    expect(got.headers['lambda-runtime-invoked-function-arn']).toBe('arn:aws:lambda:us-east-1:000000000000:function:f');
    expect(got.headers['lambda-runtime-trace-id']).toBe('Root=1-abc');
    expect(got.headers['lambda-runtime-client-context']).toBe('{"custom":{"a":1}}');
    expect(got.headers['lambda-runtime-cognito-identity']).toBeUndefined();
    expect(got.headers['content-type']).toBe('application/json');

    const ok = await call(server.address, 'POST', '/runtime/invocation/req-1/response', '"done"');
    expect(ok.status).toBe(202);
    expect(JSON.parse(ok.body)).toEqual({ status: 'OK' });
    const again = await call(server.address, 'POST', '/runtime/invocation/req-1/response', '"twice"');
    expect(again.status).toBe(400);
    expect(JSON.parse(again.body)).toEqual({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    expect(events.map((e) => e.type)).toEqual(['next', 'response']);
    const response = events[1] as Extract<RuntimeApiEvent, { type: 'response' }>;
    expect(response.body.toString()).toBe('"done"');
  });

  it('queues an event until the runtime asks, and records errors with their type header', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    server.deliver(delivery('req-2'));
    const got = await call(server.address, 'GET', '/runtime/invocation/next');
    expect(got.headers['lambda-runtime-aws-request-id']).toBe('req-2');
    const body = JSON.stringify({ errorType: 'Error', errorMessage: 'boom', trace: [] });
    const res = await call(server.address, 'POST', '/runtime/invocation/req-2/error', body, { 'Lambda-Runtime-Function-Error-Type': 'Error' });
    expect(res.status).toBe(202);
    const error = events.find((e) => e.type === 'invocation-error') as Extract<RuntimeApiEvent, { type: 'invocation-error' }>;
    expect(error.errorType).toBe('Error');
    expect(JSON.parse(error.body.toString())).toMatchObject({ errorMessage: 'boom' });
  });

  it('rejects a response over 6,291,556 bytes with 413 but accepts exactly that size', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    server.deliver(delivery('big'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    const res = await call(server.address, 'POST', '/runtime/invocation/big/response', Buffer.alloc(6_291_557, 0x61));
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).', errorType: 'RequestEntityTooLarge' });
    expect(events.at(-1)).toMatchObject({ type: 'response-too-large', requestId: 'big', bytes: 6_291_557 });

    server.deliver(delivery('edge'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    const edge = await call(server.address, 'POST', '/runtime/invocation/edge/response', Buffer.alloc(6_291_556, 0x61));
    expect(edge.status).toBe(202);
  });

  it('accepts init errors only before the first /next, and 404s unknown routes', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    const init = await call(server.address, 'POST', '/runtime/init/error', '{"errorType":"Runtime.ImportModuleError"}', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' });
    expect(init.status).toBe(202);
    expect(events.at(-1)).toMatchObject({ type: 'init-error', errorType: 'Runtime.ImportModuleError' });
    server.deliver(delivery('x'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    const late = await call(server.address, 'POST', '/runtime/init/error', '{}');
    expect(late.status).toBe(403);
    expect(JSON.parse(late.body).errorType).toBe('InvalidStateTransition');
    expect((await call(server.address, 'GET', '/runtime/nope')).status).toBe(404);
  });

  it('takes streamed responses, and mid-stream failures from the trailers', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    const stream = { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked', 'Content-Type': 'text/plain', Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body' };
    server.deliver(delivery('s1'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    expect((await call(server.address, 'POST', '/runtime/invocation/s1/response', 'hello stream', stream)).status).toBe(202);
    expect(events.at(-1)).toMatchObject({ type: 'response', streamed: true, contentType: 'text/plain' });

    server.deliver(delivery('s2'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    const errorBody = Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: 'half way' })).toString('base64');
    await call(server.address, 'POST', '/runtime/invocation/s2/response', 'part', stream, {
      'Lambda-Runtime-Function-Error-Type': 'Error',
      'Lambda-Runtime-Function-Error-Body': errorBody,
    });
    const failed = events.at(-1) as Extract<RuntimeApiEvent, { type: 'invocation-error' }>;
    expect(failed).toMatchObject({ type: 'invocation-error', errorType: 'Error', streamed: true });
    expect(JSON.parse(failed.body.toString()).errorMessage).toBe('half way');

    server.deliver(delivery('s3'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    const bad = await call(server.address, 'POST', '/runtime/invocation/s3/response', 'x', { 'Lambda-Runtime-Function-Response-Mode': 'buffered-ish' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).errorType).toBe('InvalidFunctionResponseMode');
  });

  it('reports a /next that abandons an unanswered invocation', async () => {
    server = await RuntimeApiServer.listen((e) => events.push(e));
    server.deliver(delivery('lost'));
    await call(server.address, 'GET', '/runtime/invocation/next');
    void call(server.address, 'GET', '/runtime/invocation/next').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.at(-1)).toEqual({ type: 'next', abandoned: 'lost' });
  });
});
