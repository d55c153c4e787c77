import type { FunctionConfig } from '../config/resolve-function-config.js';

/** Where the runtime finds things: Lambda's paths in the isolated sandbox, host paths in portable mode. */
export interface EnvironmentPaths {
  /** `/var/task`, or the bundle folder in portable mode. */
  taskRoot: string;
  /** `/var/runtime`, or lambdafit's runtime folder in portable mode. */
  runtimeDir: string;
  /** `/opt`, or the merged layer folder in portable mode. */
  optDir: string;
  /** `/var/lang`; absent in portable mode, where the host interpreter is used. */
  langDir?: string;
}

/** Inputs of `buildLambdaEnvironment`. */
export interface LambdaEnvironmentInput {
  /** The function settings. */
  fn: FunctionConfig;
  /** `host:port` of this environment's Runtime API. */
  runtimeApi: string;
  /** Where the runtime finds the code, the runtime and the layers. */
  paths: EnvironmentPaths;
  /** AWS_REGION and AWS_DEFAULT_REGION. */
  region: string;
  /** e.g. `2025/12/28/[$LATEST]<32 hex>`. */
  logStreamName: string;
  /** Credentials to pass through, as SAM CLI passes the developer's; none by default. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** PATH to append in portable mode, where the host's tools live elsewhere. */
  hostPath?: string;
}

/**
 * The environment variables of a Lambda execution environment (reference/lambda-facts.md §3):
 * the reserved ones Lambda sets, the unreserved defaults seen in dumps of real functions, then the
 * function's own variables. `AWS_EXECUTION_ENV` is absent for `provided.*`, as on Lambda.
 * `NODE_PATH` is left to the Node bootstrap, which sets it only when the function did not.
 * `NODE_EXTRA_CA_CERTS` is not set: the sandbox has no RDS CA bundle to point it at.
 */
export function buildLambdaEnvironment(input: LambdaEnvironmentInput): Record<string, string> {
  const { fn, paths } = input;
  const lang = paths.langDir;
  const opt = paths.optDir;
  const pathDirs = [lang ? `${lang}/bin` : undefined, '/usr/local/bin', '/usr/bin/', '/bin', `${opt}/bin`];
  const libDirs = [
    lang ? `${lang}/lib` : undefined,
    '/lib64',
    '/usr/lib64',
    paths.runtimeDir,
    `${paths.runtimeDir}/lib`,
    paths.taskRoot,
    `${paths.taskRoot}/lib`,
    `${opt}/lib`,
  ];
  const env: Record<string, string> = {
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_LAMBDA_RUNTIME_API: input.runtimeApi,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    _HANDLER: fn.handler,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: [...pathDirs.filter((d): d is string => d !== undefined), ...(input.hostPath ? [input.hostPath] : [])].join(':'),
    LD_LIBRARY_PATH: libDirs.filter((d): d is string => d !== undefined).join(':'),
    PWD: paths.taskRoot,
  };
  if (!fn.runtime.startsWith('provided')) env.AWS_EXECUTION_ENV = `AWS_Lambda_${fn.runtime}`;
  if (fn.runtime.startsWith('python')) env.PYTHONPATH = paths.runtimeDir;
  if (input.credentials) {
    env.AWS_ACCESS_KEY_ID = input.credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = input.credentials.secretAccessKey;
    if (input.credentials.sessionToken) env.AWS_SESSION_TOKEN = input.credentials.sessionToken;
  }
  return { ...env, ...fn.environment };
}
