// lambdafit's Node.js runtime: the loop that AWS's managed runtime runs, against the Runtime API
// at $AWS_LAMBDA_RUNTIME_API. Semantics follow AWS's runtime interface client: async and
// callback handlers, `callbackWaitsForEmptyEventLoop` (the response waits for `beforeExit`),
// `context.succeed/fail/done`, init errors posted to /runtime/init/error followed by exit 129, and
// an uncaught exception during an invocation posted as that invocation's error.
import { intoError, UnhandledPromiseRejection } from './errors.mjs';
import { installAwsLambdaGlobal, isStreamingHandler, loadHandler } from './load-handler.mjs';
import { logError, patchConsole, setCurrentRequestId } from './log-patch.mjs';
import { createResponseStream } from './response-stream.mjs';
import { RuntimeClient } from './runtime-client.mjs';

const noop = () => {};
let beforeExit = noop;

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err}`);
  }
}

function environmentContext() {
  return {
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

function headerContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  return {
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function forwardTraceId(headers) {
  const trace = headers['lambda-runtime-trace-id'];
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
}

/** The callback, and the context methods that complete the invocation, for one request. */
function callbackContext(client, id, scheduleNext) {
  let completed = false;
  let waitForEmptyEventLoop = true;
  const postError = (err) => {
    logError('Invoke Error', err);
    client.postError(id, err).then(scheduleNext, fatal);
  };
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    client.postResponse(id, result).then(scheduleNext, fatal);
  };
  const done = (err, result) => {
    beforeExit = noop;
    if (err !== undefined && err !== null) postError(err);
    else complete(result);
  };
  let finished = false;
  const once = (fn) => (...args) => {
    if (finished) return;
    finished = true;
    fn(...args);
  };
  const callback = once((err, result) => {
    beforeExit = noop;
    if (err !== undefined && err !== null) postError(err);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExit = () => setImmediate(() => complete(result));
  });
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((err) => done(err === undefined || err === null ? 'handled' : err, null)),
    done: once(done),
  };
  const markCompleted = () => {
    completed = true;
  };
  return { callback, context, markCompleted };
}

function fatal(err) {
  console.log(`Unexpected Top Level Error: ${err}`);
  process.exit(129);
}

const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
const errorCallbacks = {
  uncaughtException: (error) => client.postInitError(error).finally(() => process.exit(129)),
  unhandledRejection: (error) => client.postInitError(error).finally(() => process.exit(128)),
};

async function handleOnce(handler) {
  const { body, headers } = await client.next();
  const id = headers['lambda-runtime-aws-request-id'];
  setCurrentRequestId(id);
  errorCallbacks.uncaughtException = (error) => client.postError(id, error).finally(() => process.exit(129));
  errorCallbacks.unhandledRejection = (error) => client.postError(id, error).finally(() => process.exit(128));
  const scheduleNext = () => setImmediate(() => handleOnce(handler).catch(fatal));
  const { callback, context, markCompleted } = callbackContext(client, id, scheduleNext);
  // A handler that neither returns a promise nor calls back completes with null once the loop drains.
  beforeExit = () => {
    markCompleted();
    client.postResponse(id, null).then(scheduleNext, fatal);
  };
  try {
    forwardTraceId(headers);
    const ctx = Object.assign(context, environmentContext(), headerContext(headers));
    const result = handler(JSON.parse(body), ctx, callback);
    if (result && typeof result.then === 'function') result.then(context.succeed, context.fail).catch(context.fail);
  } catch (err) {
    callback(err);
  }
}

async function handleOnceStreaming(handler) {
  const { body, headers } = await client.next();
  const id = headers['lambda-runtime-aws-request-id'];
  setCurrentRequestId(id);
  errorCallbacks.uncaughtException = (error) => client.postError(id, error).finally(() => process.exit(129));
  errorCallbacks.unhandledRejection = (error) => client.postError(id, error).finally(() => process.exit(128));
  let waitForEmptyEventLoop = true;
  const next = () => setImmediate(() => handleOnceStreaming(handler).catch(fatal));
  const scheduleNext = () => {
    beforeExit = noop;
    if (!waitForEmptyEventLoop) next();
    else beforeExit = () => setImmediate(next);
  };
  beforeExit = next;
  const { stream, done, fail } = createResponseStream(client, id);
  const failAndContinue = (err) => {
    logError('Invoke Error', err);
    fail(intoError(err), scheduleNext);
  };
  try {
    forwardTraceId(headers);
    const ctx = Object.assign(
      {
        get callbackWaitsForEmptyEventLoop() {
          return waitForEmptyEventLoop;
        },
        set callbackWaitsForEmptyEventLoop(value) {
          waitForEmptyEventLoop = value;
        },
      },
      environmentContext(),
      headerContext(headers),
    );
    const result = handler(JSON.parse(body), stream, ctx);
    if (!result || typeof result.then !== 'function') {
      failAndContinue('Streaming does not support non-async handlers.');
      return;
    }
    if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
    if (stream.writableEnded) await done;
    if (!stream.writableFinished) {
      failAndContinue('Response stream is not finished.');
      return;
    }
    scheduleNext();
  } catch (err) {
    failAndContinue(err);
  }
}

patchConsole();
process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  errorCallbacks.uncaughtException(error);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  errorCallbacks.unhandledRejection(error);
});
process.on('beforeExit', () => beforeExit());

installAwsLambdaGlobal();
let handler;
try {
  handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? '/var/task', process.env._HANDLER ?? '');
} catch (error) {
  logError('Uncaught Exception', error);
  errorCallbacks.uncaughtException(error);
}
if (handler) {
  let streaming = false;
  try {
    streaming = isStreamingHandler(handler);
  } catch (error) {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  }
  setImmediate(() => (streaming ? handleOnceStreaming(handler) : handleOnce(handler)).catch(fatal));
}
