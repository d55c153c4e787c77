import { describe, expect, it } from 'vitest';
import type { FunctionConfig } from '../../../src/core/config/resolve-function-config.js';
import { buildLambdaEnvironment } from '../../../src/core/sandbox/lambda-environment.js';

const fn: FunctionConfig = {
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  architecture: 'x86_64',
  memorySize: 1024,
  ephemeralStorage: 512,
  timeout: 3,
  environment: { MY_VAR: 'x', LANG: 'C.UTF-8' },
  layers: [],
  functionName: 'qa',
  assumptions: [],
};
const paths = { taskRoot: '/var/task', runtimeDir: '/var/runtime', optDir: '/opt', langDir: '/var/lang' };

describe('buildLambdaEnvironment', () => {
  it('sets the reserved variables and the defaults Lambda sets', () => {
    const env = buildLambdaEnvironment({ fn, runtimeApi: '127.0.0.1:9001', paths, region: 'eu-west-1', logStreamName: 's' });
    expect(env).toMatchObject({
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      AWS_LAMBDA_FUNCTION_NAME: 'qa',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/qa',
      AWS_LAMBDA_LOG_STREAM_NAME: 's',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      TZ: ':UTC',
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
      MY_VAR: 'x',
    });
    // The function's own unreserved variables win over the defaults.
    expect(env.LANG).toBe('C.UTF-8');
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('omits AWS_EXECUTION_ENV for custom runtimes and sets PYTHONPATH for Python', () => {
    const provided = buildLambdaEnvironment({ fn: { ...fn, runtime: 'provided.al2023', environment: {} }, runtimeApi: 'h:1', paths, region: 'us-east-1', logStreamName: 's' });
    expect(provided.AWS_EXECUTION_ENV).toBeUndefined();
    const python = buildLambdaEnvironment({ fn: { ...fn, runtime: 'python3.11', environment: {} }, runtimeApi: 'h:1', paths, region: 'us-east-1', logStreamName: 's' });
    expect(python.PYTHONPATH).toBe('/var/runtime');
    expect(python.AWS_EXECUTION_ENV).toBe('AWS_Lambda_python3.11');
  });
});
