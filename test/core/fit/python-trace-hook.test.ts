import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTraceLines, TRACE_DIR } from '../../../src/core/fit/node-trace-hook.js';
import { pythonTraceHookSource } from '../../../src/core/fit/python-trace-hook.js';
import { packageRoot } from '../../../src/core/package-root.js';

const root = mkdtempSync(join(tmpdir(), 'lambdafit-pytrace-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the Python trace hook', () => {
  it('reports imported modules (a cached .pyc with its source), dist-info reads and data files, and nothing else', () => {
    cpSync(join(packageRoot(), 'fixtures', 'fit', 'python-seed'), root, { recursive: true });
    mkdirSync(join(root, TRACE_DIR));
    writeFileSync(join(root, TRACE_DIR, 'trace.py'), pythonTraceHookSource(root));
    writeFileSync(join(root, 'data.txt'), 'x');
    // What lambdafit's Python bootstrap does: the preload first, then the handler's import and a call.
    const script = [
      'import runpy, sys',
      `sys.path.insert(0, ${JSON.stringify(root)})`,
      `runpy.run_path(${JSON.stringify(join(root, TRACE_DIR, 'trace.py'))}, run_name="lambdafit_trace")`,
      'import lambda_function',
      'print(lambda_function.lambda_handler({"name": "x"}, None))',
      `open(${JSON.stringify(join(root, 'data.txt'))}).read()`,
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(run.status, run.stderr).toBe(0);
    const traced = [...parseTraceLines(run.stderr.split('\n'))].sort();
    expect(traced).toEqual(
      expect.arrayContaining(['lambda_function.py', 'other_helper.py', 'versioned/__init__.py', 'versioned-1.2.0.dist-info/METADATA', 'data.txt']),
    );
    expect(traced.filter((p) => p.startsWith('pip/') || p.includes('/tests/') || p === 'events/hello.json')).toEqual([]);
  });
});
