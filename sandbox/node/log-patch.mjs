// Console output in Lambda's text format: `<ISO time>\t<request id>\t<LEVEL>\t<message>`, one
// line per call with inner newlines turned into carriage returns, so that one console.log stays one
// log event (AWS's runtime client does the same when it writes to stdout). During init the
// request id is the string "undefined", as on Lambda.
import { format } from 'node:util';
import { intoError, toLoggedError } from './errors.mjs';

const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

const LEVELS = {
  TRACE: 1,
  DEBUG: 2,
  INFO: 3,
  WARN: 4,
  ERROR: 5,
  FATAL: 6,
};

/** Sets the request id that the following log lines carry. */
export function setCurrentRequestId(id) {
  globalThis[REQUEST_ID] = id;
}

function writeLine(level, message, params) {
  const time = new Date().toISOString();
  const line = `${time}\t${globalThis[REQUEST_ID]}\t${level}\t${format(message, ...params)}`.replace(/\n/g, '\r');
  process.stdout.write(line + '\n');
}

function writeJson(level, message, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId: globalThis[REQUEST_ID] };
  record.message = params.length === 0 ? message : format(message, ...params);
  let text;
  try {
    text = JSON.stringify(record);
  } catch {
    record.message = format(message, ...params);
    text = JSON.stringify(record);
  }
  process.stdout.write(text.replace(/\n/g, '\r') + '\n');
}

/** Replaces console.* with Lambda's formatter, honouring AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT. */
export function patchConsole() {
  const json = (process.env.AWS_LAMBDA_LOG_FORMAT ?? '').toUpperCase() === 'JSON';
  const write = json ? writeJson : writeLine;
  const threshold = LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()] ?? LEVELS.TRACE;
  const make = (level) => (LEVELS[level] >= threshold ? (msg, ...params) => write(level, msg, params) : () => {});
  console.trace = make('TRACE');
  console.debug = make('DEBUG');
  console.info = make('INFO');
  console.log = console.info;
  console.warn = make('WARN');
  console.error = make('ERROR');
  console.fatal = (msg, ...params) => write('FATAL', msg, params);
}

/** Logs an error the way the runtime reports failures: `Invoke Error \t{…}`, `Uncaught Exception \t{…}`. */
export function logError(label, error) {
  console.error(label, toLoggedError(intoError(error)));
}
