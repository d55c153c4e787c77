import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_RESPONSE_PAYLOAD_BYTES, MAX_STREAMED_RESPONSE_BYTES } from './sandbox-limits.js';

/** One invocation handed to the runtime by `GET /runtime/invocation/next`. */
export interface InvocationDelivery {
  /** `Lambda-Runtime-Aws-Request-Id`. */
  requestId: string;
  /** The event bytes, as the invoker sent them. */
  body: Buffer;
  /** Epoch ms at which the invocation times out. */
  deadlineMs: number;
  /** `Lambda-Runtime-Invoked-Function-Arn`. */
  invokedFunctionArn: string;
  /** `Lambda-Runtime-Trace-Id` (the runtime copies it into `_X_AMZN_TRACE_ID`). */
  traceId: string;
  /** JSON text, when the invoker passed a client context. */
  clientContext?: string;
  /** JSON text, when the invoker passed a Cognito identity. */
  cognitoIdentity?: string;
}

/** What the runtime told the Runtime API, in order. */
export type RuntimeApiEvent =
  | { type: 'next'; abandoned?: string }
  | { type: 'response'; requestId: string; body: Buffer; contentType: string; streamed: boolean }
  | { type: 'response-too-large'; requestId: string; bytes: number }
  | { type: 'invocation-error'; requestId: string; body: Buffer; errorType?: string; streamed: boolean }
  | { type: 'init-error'; body: Buffer; errorType?: string };

const PREFIX = '/2018-06-01';
const ERROR_TYPE = 'lambda-runtime-function-error-type';
const ERROR_BODY = 'lambda-runtime-function-error-body';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const accepted = (res: ServerResponse) => reply(res, 202, { status: 'OK' });
const tooLarge = (res: ServerResponse, limit: number) =>
  reply(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`, errorType: 'RequestEntityTooLarge' });

/** Reads a request body up to `limit` bytes; resolves undefined (and stops reading) past it. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; bytes: number } | { body: undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve({ body: undefined, bytes: declared });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? { body: undefined, bytes } : { body: Buffer.concat(chunks), bytes }));
    req.on('error', reject);
  });
}

/**
 * The Lambda Runtime API of one execution environment, as AWS documents and RIE implements it
 * (reference/lambda-facts.md §2): `GET …/invocation/next` long-polls and returns the event with all
 * its headers; `POST …/{id}/response` → 202, or 413 past 6,291,556 B; `POST …/{id}/error` → 202;
 * `POST /runtime/init/error` → 202; an unknown or already answered id → 400 InvalidRequestID; a
 * call in the wrong phase → 403 InvalidStateTransition. Streamed responses (mode header `streaming`,
 * chunked, error trailers) are accepted up to 200 MiB. It listens on 127.0.0.1 or on a unix
 * socket (for network-isolated environments).
 */
export class RuntimeApiServer {
  /** `host:port` for TCP, or the socket path. */
  readonly address: string;
  private readonly server: Server;
  private readonly onEvent: (event: RuntimeApiEvent) => void;
  private pendingNext: ServerResponse | undefined;
  private queued: InvocationDelivery | undefined;
  private current: string | undefined;
  private initDone = false;

  private constructor(server: Server, address: string, onEvent: (event: RuntimeApiEvent) => void) {
    this.server = server;
    this.address = address;
    this.onEvent = onEvent;
  }

  /** Starts a server on 127.0.0.1 (ephemeral port) or on `socketPath`. */
  static async listen(onEvent: (event: RuntimeApiEvent) => void, socketPath?: string): Promise<RuntimeApiServer> {
    let api: RuntimeApiServer | undefined;
    const server = createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
      api!.route(req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, { errorMessage: 'Internal error', errorType: 'ServiceException' });
      });
    });
    // The GET for the next event may wait for hours, and the runtime may pause between requests.
    server.keepAliveTimeout = 0;
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.timeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (socketPath) server.listen(socketPath, resolve);
      else server.listen(0, '127.0.0.1', resolve);
    });
    server.on('connection', (socket) => socket.setNoDelay(true));
    const address = socketPath ?? `127.0.0.1:${(server.address() as AddressInfo).port}`;
    api = new RuntimeApiServer(server, address, onEvent);
    return api;
  }

  /** Hands an invocation to the runtime now, if it is waiting on /next, or when it next asks. */
  deliver(invocation: InvocationDelivery): void {
    this.queued = invocation;
    if (this.pendingNext) {
      const res = this.pendingNext;
      this.pendingNext = undefined;
      this.send(res);
    }
  }

  /** Whether the runtime is blocked on /next. */
  get waiting(): boolean {
    return this.pendingNext !== undefined;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.pendingNext?.destroy();
    this.pendingNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: ServerResponse): void {
    const inv = this.queued!;
    this.queued = undefined;
    this.current = inv.requestId;
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': inv.body.length,
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': inv.deadlineMs,
      'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': inv.traceId,
    };
    if (inv.clientContext) headers['Lambda-Runtime-Client-Context'] = inv.clientContext;
    if (inv.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = inv.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.body);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0]!;
    if (!url.startsWith(PREFIX + '/runtime/')) {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const path = url.slice(PREFIX.length);
    if (req.method === 'GET' && path === '/runtime/invocation/next') {
      req.resume();
      this.initDone = true;
      // Asking for the next event while one is in flight abandons it without a reply.
      const abandoned = this.current;
      this.current = undefined;
      if (this.pendingNext) this.pendingNext.destroy();
      this.pendingNext = res;
      res.on('close', () => {
        if (this.pendingNext === res) this.pendingNext = undefined;
      });
      this.onEvent(abandoned ? { type: 'next', abandoned } : { type: 'next' });
      if (this.queued && this.pendingNext === res) {
        this.pendingNext = undefined;
        this.send(res);
      }
      return;
    }
    if (req.method === 'POST' && path === '/runtime/init/error') {
      const { body } = await readBody(req, MAX_RESPONSE_PAYLOAD_BYTES);
      if (this.initDone) {
        reply(res, 403, { errorMessage: 'State transition from Ready to InitError failed for runtime. Error: State transition is not allowed', errorType: 'InvalidStateTransition' });
        return;
      }
      accepted(res);
      this.onEvent({ type: 'init-error', body: body ?? Buffer.alloc(0), errorType: header(req, ERROR_TYPE) });
      return;
    }
    const m = /^\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method !== 'POST' || !m) {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const requestId = decodeURIComponent(m[1]!);
    // The id of the invocation in flight, once: a second reply finds `current` cleared.
    if (requestId !== this.current) {
      req.resume();
      reply(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      return;
    }
    if (m[2] === 'error') {
      const { body } = await readBody(req, MAX_RESPONSE_PAYLOAD_BYTES);
      this.answer(requestId);
      accepted(res);
      this.onEvent({ type: 'invocation-error', requestId, body: body ?? Buffer.alloc(0), errorType: header(req, ERROR_TYPE), streamed: false });
      return;
    }
    const mode = header(req, 'lambda-runtime-function-response-mode');
    if (mode !== undefined && mode.toLowerCase() !== 'streaming') {
      req.resume();
      reply(res, 400, { errorMessage: `Invalid function response mode: ${mode}`, errorType: 'InvalidFunctionResponseMode' });
      return;
    }
    const streamed = mode !== undefined;
    const limit = streamed ? MAX_STREAMED_RESPONSE_BYTES : MAX_RESPONSE_PAYLOAD_BYTES;
    const { body, bytes } = await readBody(req, limit);
    this.answer(requestId);
    if (!body) {
      tooLarge(res, limit);
      this.onEvent({ type: 'response-too-large', requestId, bytes });
      return;
    }
    accepted(res);
    const trailerType = req.trailers[ERROR_TYPE];
    if (streamed && trailerType) {
      const errorBody = req.trailers[ERROR_BODY];
      const decoded = errorBody ? Buffer.from(errorBody, 'base64') : Buffer.from(JSON.stringify({ errorType: trailerType, errorMessage: '' }));
      this.onEvent({ type: 'invocation-error', requestId, body: decoded, errorType: trailerType, streamed: true });
      return;
    }
    this.onEvent({ type: 'response', requestId, body, contentType: header(req, 'content-type') ?? 'application/json', streamed });
  }

  private answer(requestId: string): void {
    if (this.current === requestId) this.current = undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
