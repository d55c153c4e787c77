// Error classes and error bodies of the Node.js runtime, with the names and shapes AWS's runtime
// interface client uses (`Runtime.ImportModuleError`, body `{errorType, errorMessage, trace}`):
// the invoker sees these exact bodies on Lambda, so the sandbox must produce the same ones.
import { types } from 'node:util';

function runtimeError(name) {
  const cls = class extends Error {};
  Object.defineProperty(cls, 'name', { value: name });
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

export const ImportModuleError = runtimeError('ImportModuleError');
export const HandlerNotFound = runtimeError('HandlerNotFound');
export const MalformedHandlerName = runtimeError('MalformedHandlerName');
export const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
export const MalformedStreamingHandler = runtimeError('MalformedStreamingHandler');
export const InvalidStreamingOperation = runtimeError('InvalidStreamingOperation');

export class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function looksLikeError(value) {
  return Boolean(
    value && typeof value.name === 'string' && typeof value.message === 'string' && typeof value.stack === 'string',
  );
}

/** The body the runtime posts to `/error`: the key is `trace`, not `stackTrace` (lambda-facts §2). */
export function toErrorBody(error) {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return {
        errorType: error.name?.replace(/\x7F/g, '%7F'),
        errorMessage: error.message?.replace(/\x7F/g, '%7F'),
        trace: String(error.stack).replace(/\x7F/g, '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** Error objects as they appear in the `Invoke Error` log line: enumerable fields plus the stack as lines. */
export function toLoggedError(error) {
  const replacer = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(error, replacer);
  } catch {
    return '\t' + JSON.stringify(toErrorBody(error));
  }
}

/** Wraps anything thrown into an Error, as the runtime does before reporting it. */
export function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}
