// Response streaming (`awslambda.streamifyResponse`): the response is POSTed chunked with
// `Lambda-Runtime-Function-Response-Mode: streaming`, and a failure after the first byte travels
// in the `Lambda-Runtime-Function-Error-Type` / `-Body` trailers (body base64 JSON), as AWS's
// client sends it.
import { InvalidStreamingOperation, toErrorBody } from './errors.mjs';

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_BYTES = 8;

/** Opens the streamed response of invocation `id`; `stream` is what the handler writes to. */
export function createResponseStream(client, id) {
  const req = client.openResponseStream(id, 'application/octet-stream');
  let wrote = false;
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
  req.setContentType = (contentType) => {
    if (wrote) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };
  const write = req.write.bind(req);
  req.write = (chunk, encoding, callback) => {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) {
      chunk = JSON.stringify(chunk);
    }
    if (!wrote && typeof req._onBeforeFirstWrite === 'function') req._onBeforeFirstWrite((c) => write(c));
    wrote = true;
    return write(chunk, encoding, callback);
  };
  const fail = (error, callback) => {
    const body = toErrorBody(error);
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': body.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(body)).toString('base64'),
    });
    req.end(callback);
  };
  return { stream: req, done, fail };
}

/** `awslambda.HttpResponseStream`: a JSON prelude and 8 NUL bytes before the body. */
export class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(PRELUDE_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  }
}
