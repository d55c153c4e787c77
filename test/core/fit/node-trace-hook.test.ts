import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeTraceHookSource, nodeTraceLoaderSource, parseTraceLines, TRACE_DIR } from '../../../src/core/fit/node-trace-hook.js';

const root = mkdtempSync(join(tmpdir(), 'lambdafit-trace-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the Node trace hook', () => {
  it('reports ES modules, CommonJS modules and fs reads under the task root, and nothing else', () => {
    mkdirSync(join(root, TRACE_DIR));
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, TRACE_DIR, 'trace.cjs'), nodeTraceHookSource(root));
    writeFileSync(join(root, TRACE_DIR, 'loader.mjs'), nodeTraceLoaderSource(root));
    writeFileSync(join(root, 'main.mjs'), "import './lib/esm.mjs'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); require('./lib/cjs.js'); import { readFileSync } from 'node:fs'; readFileSync(new URL('./data.txt', import.meta.url));");
    writeFileSync(join(root, 'lib/esm.mjs'), 'export const a = 1;');
    writeFileSync(join(root, 'lib/cjs.js'), "module.exports = require('./nested.js');");
    writeFileSync(join(root, 'lib/nested.js'), 'module.exports = 2;');
    writeFileSync(join(root, 'data.txt'), 'x');
    writeFileSync(join(root, 'never.js'), 'never');
    const run = spawnSync(process.execPath, ['main.mjs'], { cwd: root, env: { ...process.env, NODE_OPTIONS: `--require ${join(root, TRACE_DIR, 'trace.cjs')}` }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const traced = parseTraceLines(run.stderr.split('\n'));
    expect([...traced].filter((p) => !p.startsWith(TRACE_DIR)).sort()).toEqual(['data.txt', 'lib/cjs.js', 'lib/esm.mjs', 'lib/nested.js', 'main.mjs']);
  });
});
