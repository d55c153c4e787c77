// Resolves `_HANDLER` (`dir/file.export.nested`) to a function with the rules of AWS's Node.js
// runtime client: an extensionless file, then `.js` (CommonJS unless the nearest package.json says
// `"type": "module"`), `.mjs`, `.cjs`, then a package name resolved from the task root. Failures
// become Runtime.ImportModuleError, Runtime.UserCodeSyntaxError or Runtime.HandlerNotFound.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  HandlerNotFound,
  ImportModuleError,
  MalformedHandlerName,
  MalformedStreamingHandler,
  UserCodeSyntaxError,
} from './errors.mjs';
import { HttpResponseStream } from './response-stream.mjs';

const require = createRequire(import.meta.url);
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

function requireIfExists(file) {
  return existsSync(file) ? require(file) : undefined;
}

async function importIfExists(file) {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

function folderIsModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const manifest = path.join(folder, 'package.json');
  if (existsSync(manifest)) {
    try {
      return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
    } catch (err) {
      console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, err);
      return false;
    }
  }
  const parent = path.resolve(folder, '..');
  return parent === folder ? false : folderIsModule(parent);
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;
  const esm = existsSync(base + '.js') && folderIsModule(path.dirname(base + '.js'));
  if (!esm) {
    const cjs = requireIfExists(base + '.js');
    if (cjs) return cjs;
  }
  const loaded =
    (esm && (await importIfExists(base + '.js'))) || (await importIfExists(base + '.mjs')) || requireIfExists(base + '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/** Installs the `awslambda` global the managed runtime provides. */
export function installAwsLambdaGlobal() {
  const off = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = 'response';
      if (typeof options?.highWaterMark === 'number') handler[HIGH_WATER_MARK] = Number.parseInt(options.highWaterMark, 10);
      return handler;
    },
    HttpResponseStream,
  };
}

/** Loads the handler function named by `fullHandler` from `appRoot`. */
export async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndHandler = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndHandler));
  const match = moduleAndHandler.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, handlerPath] = match;
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserCodeSyntaxError(err);
    if (err?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(err);
    throw err;
  }
  const fn = handlerPath.split('.').reduce((obj, key) => obj && obj[key], app);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

/** Whether the handler was wrapped by `awslambda.streamifyResponse`. */
export function isStreamingHandler(fn) {
  const mode = fn[STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === 'response') return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}
