import { afterAll, describe, expect, it } from 'vitest';
import { json, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

// The Python runtime's semantics (sandbox/python), in portable mode; see node-runtime.slow.test.ts.
const portable = { isolation: 'portable' as const };
afterAll(removeBundles);

describe('Python runtime', () => {
  it('runs module.function handlers in packages with a Lambda context and logging format', async () => {
    const dir = await makeBundle({
      'app/__init__.py': '',
      'app/main.py': `import logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handle(event, context):
    logger.info("hello\\nthere")
    print("plain print")
    return {"id": context.aws_request_id, "mem": context.memory_limit_in_mb, "name": context.function_name,
            "remaining": context.get_remaining_time_in_millis(), "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "path0": __import__("sys").path[0], "custom": context.client_context.custom}
`,
    });
    const sb = await openSandbox(dir, { runtime: 'python3.11', handler: 'app/main.handle', memorySize: 512 }, portable);
    try {
      const r = await sb.invoke('{"a": 1}', { clientContext: '{"custom":{"x":2}}' });
      expect(r.status).toBe('success');
      const res = json<Record<string, unknown>>(r.response);
      expect(res.id).toBe(r.requestId);
      expect(res.mem).toBe('512');
      expect(res.remaining).toBeGreaterThan(1000);
      expect(res.trace).toMatch(/^Root=1-/);
      expect(res.path0).toBe(dir);
      expect(res.custom).toEqual({ x: 2 });
      expect(r.logs).toContain('plain print');
      expect(r.logs.some((l) => new RegExp(`^\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:]+\\.\\d{3}Z\\t${r.requestId}\\thello\\nthere$`).test(l))).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('returns AWS error bodies with stackTrace and requestId, and marshal errors', async () => {
    const dir = await makeBundle({
      'lambda_function.py': `def lambda_handler(event, context):
    if event.get("set"):
        return {1, 2}
    raise KeyError("missing")
`,
    });
    const sb = await openSandbox(dir, {}, portable);
    try {
      const r = await sb.invoke('{}');
      expect(r.errorType).toBe('KeyError');
      const body = json<{ errorMessage: string; errorType: string; requestId: string; stackTrace: string[] }>(r.response);
      expect(Object.keys(body)).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
      expect(body.errorMessage).toBe("'missing'");
      expect(body.requestId).toBe(r.requestId);
      expect(body.stackTrace[0]).toMatch(/lambda_function\.py", line 4, in lambda_handler/);
      expect(r.logs.some((l) => l.startsWith("[ERROR] KeyError: 'missing'\nTraceback (most recent call last):"))).toBe(true);
      const marshal = await sb.invoke('{"set": true}');
      expect(marshal.errorType).toBe('Runtime.MarshalError');
      expect(json<{ errorMessage: string }>(marshal.response).errorMessage).toMatch(/^Unable to marshal response: Object of type set is not JSON serializable/);
    } finally {
      await sb.close();
    }
  });

  it('reports import failures as the Python runtime client does', async () => {
    const cases: [Record<string, string>, string, string, RegExp][] = [
      [{ 'other.py': '' }, 'lambda_function.lambda_handler', 'Runtime.ImportModuleError', /^Unable to import module 'lambda_function': No module named 'lambda_function'$/],
      [{ 'lambda_function.py': 'x = 1\n' }, 'lambda_function.lambda_handler', 'Runtime.HandlerNotFound', /^Handler 'lambda_handler' missing on module 'lambda_function'$/],
      [{ 'lambda_function.py': 'def lambda_handler(:\n' }, 'lambda_function.lambda_handler', 'Runtime.UserCodeSyntaxError', /^Syntax error in module 'lambda_function'/],
    ];
    for (const [files, handler, errorType, message] of cases) {
      const dir = await makeBundle(files);
      const sb = await openSandbox(dir, { runtime: 'python3.11', handler }, portable);
      try {
        const r = await sb.invoke('{}');
        expect(r.errorType).toBe(errorType);
        const body = json<{ errorMessage: string; errorType: string; requestId: string }>(r.response);
        expect(body.errorMessage).toMatch(message);
        expect(body.requestId).toBe('');
        expect(r.logs.filter((l) => l.startsWith('INIT_REPORT')).length).toBe(2);
      } finally {
        await sb.close();
      }
    }
  });
});
