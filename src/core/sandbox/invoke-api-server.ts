import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxError } from '../errors.js';
import type { OperationOptions } from '../progress.js';
import type { InvocationResult, Sandbox } from './create-sandbox.js';
import { LOCAL_ACCOUNT_ID, MAX_REQUEST_PAYLOAD_BYTES } from './sandbox-limits.js';

/** Largest asynchronous (`Event`) payload since October 2025: 1 MiB. */
const MAX_ASYNC_PAYLOAD_BYTES = 1_048_576;
/** `X-Amz-Log-Type: Tail` returns the last 4 KB of the invocation's log. */
const LOG_TAIL_BYTES = 4096;

/** Options of `startInvokeApiServer`. */
export interface InvokeApiServerOptions extends OperationOptions {
  /** The sandbox that runs the invocations. */
  sandbox: Sandbox;
  /** Default 3001 (SAM CLI's `start-lambda` port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Region used in ARNs and messages; default us-east-1. */
  region?: string;
  /** Called after each invocation (for the command's log). */
  onInvocation?: (result: InvocationResult, invocationType: 'RequestResponse' | 'Event') => void;
}

/** A running Invoke API endpoint. */
export interface InvokeApiServer {
  /** e.g. `http://127.0.0.1:3001`, for `--endpoint-url`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Stops accepting requests and waits for running invocations. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function userError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { Type: 'User', message }, { 'X-Amzn-ErrorType': type });
}

function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | number> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (bytes <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(bytes > limit ? bytes : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The last 4 KB of a log, on a character boundary, base64-encoded. */
export function logTail(lines: string[]): string {
  const all = Buffer.from(lines.join('\n') + '\n');
  let start = Math.max(0, all.length - LOG_TAIL_BYTES);
  while (start < all.length && (all[start]! & 0xc0) === 0x80) start++;
  return all.subarray(start).toString('base64');
}

/**
 * Serves the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on localhost, so
 * `aws lambda invoke --endpoint-url` and the AWS SDKs can call the sandboxed function. Function
 * errors come back as 200 with `X-Amz-Function-Error: Unhandled`, as from Lambda; `X-Amz-Log-Type:
 * Tail` adds the base64 log tail in `X-Amz-Log-Result`; `Event` invocations return 202 and run in
 * the background; `DryRun` returns 204. Concurrent requests get separate environments.
 */
export async function startInvokeApiServer(options: InvokeApiServerOptions): Promise<InvokeApiServer> {
  const { sandbox } = options;
  const region = options.region ?? 'us-east-1';
  const arn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${sandbox.fn.functionName}`;
  const running = new Set<Promise<unknown>>();
  const names = new Set([sandbox.fn.functionName, 'function', arn]);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (!m || req.method !== 'POST') {
      req.resume();
      sendJson(res, 404, { Type: 'User', message: `Unknown operation ${req.method} ${url.pathname}` }, { 'X-Amzn-ErrorType': 'UnknownOperationException' });
      return;
    }
    const name = decodeURIComponent(m[1]!).replace(/:\$LATEST$/, '');
    const qualifier = url.searchParams.get('Qualifier');
    if (!names.has(name) || (qualifier !== null && qualifier !== '$LATEST')) {
      req.resume();
      const shown = name.startsWith('arn:') ? name : `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
      userError(res, 404, 'ResourceNotFoundException', `Function not found: ${shown}${qualifier ? `:${qualifier}` : ''}`);
      return;
    }
    const typeHeader = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(typeHeader)) {
      req.resume();
      userError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type ${typeHeader}; use RequestResponse, Event or DryRun.`);
      return;
    }
    const invocationType = typeHeader as 'RequestResponse' | 'Event' | 'DryRun';
    const limit = invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_REQUEST_PAYLOAD_BYTES;
    const body = await readLimited(req, limit);
    if (typeof body === 'number') {
      userError(res, 413, 'RequestTooLargeException', `${body} byte payload is too large for the ${invocationType === 'Event' ? 'Event' : 'RequestResponse'} invocation type (limit ${limit} bytes)`);
      return;
    }
    const payload = body.length === 0 ? Buffer.from('{}') : body;
    try {
      JSON.parse(payload.toString('utf8'));
    } catch (err) {
      userError(res, 400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
      return;
    }
    if (invocationType === 'DryRun') {
      res.writeHead(204);
      res.end();
      return;
    }
    let clientContext: string | undefined;
    const rawContext = req.headers['x-amz-client-context'];
    if (typeof rawContext === 'string' && rawContext) {
      clientContext = Buffer.from(rawContext, 'base64').toString('utf8');
    }
    const run = sandbox.invoke(payload, { clientContext });
    running.add(run);
    void run.finally(() => running.delete(run)).catch(() => undefined);
    if (invocationType === 'Event') {
      res.writeHead(202, { 'Content-Length': 0 });
      res.end();
      void run.then((r) => options.onInvocation?.(r, 'Event'), () => undefined);
      return;
    }
    const result = await run;
    options.onInvocation?.(result, 'RequestResponse');
    const headers: Record<string, string | number> = {
      'Content-Type': result.contentType,
      'Content-Length': result.payload.length,
      'X-Amz-Executed-Version': '$LATEST',
      'X-Amzn-RequestId': result.requestId,
    };
    if (result.status !== 'success') headers['X-Amz-Function-Error'] = 'Unhandled';
    if (String(req.headers['x-amz-log-type'] ?? '') === 'Tail') headers['X-Amz-Log-Result'] = logTail(result.logs);
    res.writeHead(200, headers);
    res.end(result.payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, 500, { Type: 'Service', message: err.message }, { 'X-Amzn-ErrorType': 'ServiceException' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new SandboxError(`Port ${options.port ?? 3001} is already in use; pass --port with a free port.`, 'E_PORT_IN_USE') : err),
    );
    server.listen(options.port ?? 3001, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await Promise.allSettled([...running]);
    },
  };
}
