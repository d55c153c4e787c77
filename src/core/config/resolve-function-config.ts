import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Architecture, LambdafitConfig } from './config-schema.js';
import { RUNTIMES } from './config-schema.js';

/** A Lambda runtime identifier lambdafit knows (`nodejs20.x`, `python3.11`, `provided.al2023`…). */
export type RuntimeId = (typeof RUNTIMES)[number];

/** Command-line values that take precedence over `lambdafit.json`. */
export interface FunctionConfigOverrides {
  /** `--runtime`. */
  runtime?: RuntimeId;
  /** `--handler`. */
  handler?: string;
  /** `--arch`. */
  architecture?: Architecture;
  /** `--memory`, MB. */
  memorySize?: number;
  /** `--tmp`, MB. */
  ephemeralStorage?: number;
  /** `--timeout`, seconds. */
  timeout?: number;
  /** Folder that relative layer paths resolve against; default the bundle folder (where lambdafit.json sits). */
  baseDir?: string;
  /** Name to derive AWS_LAMBDA_FUNCTION_NAME from (e.g. the zip a bundle was extracted from); default the bundle folder. */
  nameFrom?: string;
}

/** Everything the sandbox needs to run a function, with nothing left implicit. */
export interface FunctionConfig {
  /** Lambda runtime identifier. */
  runtime: RuntimeId;
  /** Handler string, as `_HANDLER` receives it. */
  handler: string;
  /** x86_64 or arm64 (the sandbox runs natively either way). */
  architecture: Architecture;
  /** MB, 128–10,240. */
  memorySize: number;
  /** `/tmp` size in MB, 512–10,240. */
  ephemeralStorage: number;
  /** Seconds, 1–900. */
  timeout: number;
  /** The function's own environment variables (reserved keys excluded). */
  environment: Record<string, string>;
  /** Absolute paths of the layer folders, in the order Lambda applies them. */
  layers: string[];
  /** AWS_LAMBDA_FUNCTION_NAME: the bundle folder's (or archive's) name, made a valid function name. */
  functionName: string;
  /** One sentence per value lambdafit inferred or defaulted, for the CLI to print. */
  assumptions: string[];
}

/** Lambda's defaults for what a function does not configure (lambda-facts §1). */
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TMP_MB = 512;
const DEFAULT_TIMEOUT_S = 3;
const ENVIRONMENT_LIMIT_BYTES = 4096;

/** Keys Lambda refuses in a function's environment (lambda-facts §3). */
const RESERVED_KEYS = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** Makes a folder or archive name a valid Lambda function name (letters, digits, `-`, `_`; 64 characters). */
function functionNameFor(path: string): string {
  const base = basename(resolve(path)).replace(/\.(zip|tar\.gz|tgz)$/i, '');
  const name = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return (name || 'function').slice(0, 64);
}

/** The runtime family of a handler's module file, by which file exists next to the bundle root. */
async function runtimeForHandler(bundleDir: string, handler: string): Promise<RuntimeId | undefined> {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) return undefined;
  // Node splits at the first dot after the last slash; Python at the last dot (`pkg.mod.fn`).
  const nodeModule = handler.slice(0, handler.indexOf('.', handler.lastIndexOf('/') + 1));
  for (const ext of ['.js', '.mjs', '.cjs']) if (await isFile(join(bundleDir, nodeModule + ext))) return 'nodejs20.x';
  const pythonModule = handler.slice(0, dot).replace(/\./g, '/');
  if (await isFile(join(bundleDir, pythonModule + '.py'))) return 'python3.11';
  return undefined;
}

/** A Python file at the bundle root that defines `lambda_handler` or `handler`, as `file.function`. */
async function pythonHandler(bundleDir: string, files: string[]): Promise<string | undefined> {
  const candidates = files.filter((f) => f.endsWith('.py')).sort((a, b) => Number(b === 'lambda_function.py') - Number(a === 'lambda_function.py'));
  for (const file of candidates) {
    const text = await readFile(join(bundleDir, file), 'utf8').catch(() => '');
    for (const fn of ['lambda_handler', 'handler']) {
      if (new RegExp(`^def ${fn}\\s*\\(`, 'm').test(text)) return `${file.slice(0, -3)}.${fn}`;
    }
  }
  return undefined;
}

/**
 * Resolves the function's runtime settings from `lambdafit.json`, the command-line overrides and,
 * where neither says, from the bundle itself: a `bootstrap` file means `provided.al2023`, a
 * `package.json` or `.js`/`.mjs` handler file means `nodejs20.x` with `index.handler`, a `.py`
 * handler means `python3.11`. Memory, `/tmp` and timeout default to Lambda's own defaults. Every
 * inference is recorded in `assumptions` as a sentence. Throws ConfigError for reserved
 * environment keys, an environment over 4 KB, or a bundle whose runtime cannot be told.
 */
export async function resolveFunctionConfig(
  bundleDir: string,
  config: LambdafitConfig,
  overrides: FunctionConfigOverrides = {},
): Promise<FunctionConfig> {
  const assumptions: string[] = [];
  const root = resolve(bundleDir);
  const files = await readdir(root).catch(() => [] as string[]);
  let handler = overrides.handler ?? config.handler;
  let runtime = overrides.runtime ?? config.runtime;

  if (!runtime) {
    const fromHandler = handler ? await runtimeForHandler(root, handler) : undefined;
    if (fromHandler) {
      runtime = fromHandler;
      assumptions.push(`runtime not set: using ${runtime} because the handler file ${handler} names is a ${runtime.startsWith('node') ? 'JavaScript' : 'Python'} file.`);
    } else if (files.includes('bootstrap')) {
      runtime = 'provided.al2023';
      assumptions.push('runtime not set: using provided.al2023 because the bundle has a bootstrap file (a custom runtime).');
    } else if (files.includes('package.json') || files.some((f) => /\.(m|c)?js$/.test(f))) {
      runtime = 'nodejs20.x';
      assumptions.push(`runtime not set: using nodejs20.x because the bundle has ${files.includes('package.json') ? 'a package.json' : 'JavaScript files'} at its root.`);
    } else if (files.some((f) => f.endsWith('.py'))) {
      runtime = 'python3.11';
      assumptions.push('runtime not set: using python3.11 because the bundle has Python files at its root.');
    } else {
      throw new ConfigError(
        `Cannot tell the runtime of ${root}: it has no package.json, .js, .py or bootstrap file at its root; set "runtime" in lambdafit.json or pass --runtime.`,
        [],
        'E_RUNTIME_UNKNOWN',
      );
    }
  }

  if (!handler) {
    if (runtime.startsWith('nodejs')) {
      const index = files.find((f) => /^index\.(m|c)?js$/.test(f));
      const only = files.filter((f) => /\.(m|c)?js$/.test(f));
      const file = index ?? (only.length === 1 ? only[0] : undefined) ?? 'index.js';
      handler = `${file.replace(/\.(m|c)?js$/, '')}.handler`;
      assumptions.push(`handler not set: using ${handler}${index || only.length !== 1 ? ", Lambda's default for Node.js" : ` because ${file} is the only JavaScript file at the root`}.`);
    } else if (runtime.startsWith('python')) {
      handler = (await pythonHandler(root, files)) ?? 'lambda_function.lambda_handler';
      assumptions.push(`handler not set: using ${handler}, the Python function found at the bundle root (the console's default is lambda_function.lambda_handler).`);
    } else {
      handler = 'bootstrap';
      assumptions.push('handler not set: using "bootstrap"; a custom runtime reads _HANDLER itself.');
    }
  }

  const memorySize = overrides.memorySize ?? config.memorySize;
  const ephemeralStorage = overrides.ephemeralStorage ?? config.ephemeralStorage;
  const timeout = overrides.timeout ?? config.timeout;
  if (memorySize === undefined) assumptions.push(`memorySize not set: using Lambda's default of ${DEFAULT_MEMORY_MB} MB.`);
  if (ephemeralStorage === undefined) assumptions.push(`ephemeralStorage not set: using Lambda's default /tmp of ${DEFAULT_TMP_MB} MB.`);
  if (timeout === undefined) assumptions.push(`timeout not set: using Lambda's default of ${DEFAULT_TIMEOUT_S} s.`);
  const architecture = overrides.architecture ?? config.architecture ?? 'x86_64';

  const environment = { ...(config.environment ?? {}) };
  const reserved = Object.keys(environment).filter((k) => RESERVED_KEYS.has(k));
  if (reserved.length > 0) {
    throw new ConfigError(
      `lambdafit.json environment sets ${reserved.join(', ')}: Lambda's environment contains reserved keys that are currently not supported for modification; remove ${reserved.length > 1 ? 'them' : 'it'}.`,
      reserved.map((k) => `environment.${k}: reserved by Lambda`),
      'E_ENV_RESERVED',
    );
  }
  const envBytes = Buffer.byteLength(JSON.stringify(environment));
  if (envBytes > ENVIRONMENT_LIMIT_BYTES) {
    throw new ConfigError(
      `lambdafit.json environment is ${envBytes} bytes as JSON: Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit; shorten them.`,
      [`environment: ${envBytes} bytes > ${ENVIRONMENT_LIMIT_BYTES}`],
      'E_ENV_TOO_LARGE',
    );
  }

  const base = overrides.baseDir ?? root;
  const layers = (config.layers ?? []).map((l) => (isAbsolute(l) ? l : resolve(base, l)));

  return {
    runtime,
    handler,
    architecture,
    memorySize: memorySize ?? DEFAULT_MEMORY_MB,
    ephemeralStorage: ephemeralStorage ?? DEFAULT_TMP_MB,
    timeout: timeout ?? DEFAULT_TIMEOUT_S,
    environment,
    layers,
    functionName: functionNameFor(overrides.nameFrom ?? root),
    assumptions,
  };
}
