// HTTP client for the Lambda Runtime API (`$AWS_LAMBDA_RUNTIME_API/2018-06-01/...`). One
// keep-alive connection, as AWS's client keeps, so a warm invocation costs two requests on an
// open socket.
import http from 'node:http';
import { toErrorBody } from './errors.mjs';

const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

function serialize(value) {
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

export class RuntimeClient {
  constructor(hostPort) {
    const [hostname, port] = String(hostPort).split(':');
    this.hostname = hostname;
    this.port = Number.parseInt(port, 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname: this.hostname, port: this.port, path: `/2018-06-01${path}`, method, headers, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Long-polls for the next event; resolves with the raw body and the invocation headers. */
  async next() {
    const res = await this.request('GET', '/runtime/invocation/next', {});
    if (res.status !== 200) throw new Error(`Failed to get next invocation, http status ${res.status}`);
    return { body: res.body.toString('utf8'), headers: res.headers };
  }

  /** Posts a buffered response; any value is JSON-serialized (undefined → null). */
  postResponse(id, value) {
    const body = serialize(value);
    return this.request(
      'POST',
      `/runtime/invocation/${encodeURIComponent(id)}/response`,
      { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      body,
    );
  }

  /** Posts an invocation error with the error type header. */
  postError(id, error) {
    const payload = toErrorBody(error);
    const body = serialize(payload);
    return this.request(
      'POST',
      `/runtime/invocation/${encodeURIComponent(id)}/error`,
      {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        [ERROR_TYPE_HEADER]: payload.errorType ?? 'Unknown',
      },
      body,
    );
  }

  /** Posts an initialization error; the runtime exits afterwards. */
  postInitError(error) {
    const payload = toErrorBody(error);
    const body = serialize(payload);
    return this.request(
      'POST',
      '/runtime/init/error',
      {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        [ERROR_TYPE_HEADER]: payload.errorType ?? 'Unknown',
      },
      body,
    );
  }

  /** Opens a streaming response (chunked, with error trailers) for response-streaming handlers. */
  openResponseStream(id, contentType) {
    return http.request({
      hostname: this.hostname,
      port: this.port,
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
      method: 'POST',
      agent: this.agent,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        'Content-Type': contentType,
      },
    });
  }
}
