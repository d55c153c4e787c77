import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/commands/command-io.js';
import { runCommand } from '../../src/commands/run-command.js';
import { UsageError } from '../../src/core/errors.js';
import { billedDurationMs } from '../../src/core/sandbox/lambda-log-lines.js';
import { fixture, makeBundle, removeBundles } from '../core/sandbox/sandbox-test-kit.js';

afterAll(removeBundles);

function io(env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) });
  const commandIo: CommandIO = {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    signal: new AbortController().signal,
    debug: false,
    cwd: process.cwd(),
    env: { ...env },
  };
  return { io: commandIo, out: () => stdout, err: () => stderr };
}

describe('lambdafit run', () => {
  it('prints one JSON document with every invocation field and exits 0 when all succeed', async () => {
    const dir = await makeBundle({ 'package.json': '{"type":"commonjs"}', 'index.js': 'exports.handler = async (e) => ({ got: e });', 'events/a.json': '{"a":1}', 'events/b.json': '{"b":2}' });
    const t = io();
    const code = await runCommand.run([dir, '--event', `${dir}/events/a.json`, '--event', `${dir}/events/b.json`, '--invocations', '3', '--memory', '256', '--json'], t.io);
    expect(code).toBe(0);
    const doc = JSON.parse(t.out());
    expect(doc.function).toMatchObject({ runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 256 });
    expect(doc.invocations).toHaveLength(3);
    const [first, second, third] = doc.invocations;
    for (const key of ['requestId', 'cold', 'initDurationMs', 'durationMs', 'billedDurationMs', 'maxMemoryUsedMB', 'tmpPeakBytes', 'status', 'errorType', 'response', 'logs']) expect(first).toHaveProperty(key);
    expect(first).toMatchObject({ cold: true, status: 'success', errorType: null, response: { got: { a: 1 } } });
    expect(second).toMatchObject({ cold: false, initDurationMs: null, response: { got: { b: 2 } } });
    expect(third.response).toEqual({ got: { a: 1 } });
    // Since August 2025 a cold invocation bills its init too.
    expect(first.billedDurationMs).toBe(billedDurationMs(first.durationMs, first.initDurationMs));
    expect(first.billedDurationMs).toBeGreaterThan(first.durationMs + first.initDurationMs - 1);
    // Logs and assumptions go to stderr; stdout holds the JSON document alone.
    expect(t.err()).toContain('REPORT RequestId: ');
    expect(t.err()).toContain('assumed: runtime not set');
  });

  it('exits 3 when an invocation fails, with a readable summary, and starts cold every time with --cold', async () => {
    const t = io();
    // Any JSON works as an event; this one has no "action", which the probe rejects.
    const code = await runCommand.run([fixture('node-probe'), '--event', `${fixture('node-probe')}/package.json`, '--invocations', '2', '--cold'], t.io);
    expect(code).toBe(3);
    const lines = t.out().split('\n').filter((l) => /^#\d/.test(l));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^#\d cold {2}error \(Error\) {2}init [\d.]+ ms {2}duration/);
    expect(t.out()).toContain('error: {"errorType":"Error","errorMessage":"unknown action undefined"');
  });

  it('rejects bad flags as usage errors', async () => {
    await expect(runCommand.run([fixture('node-cjs'), '--memory', '64'], io().io)).rejects.toBeInstanceOf(UsageError);
    await expect(runCommand.run([fixture('node-cjs'), '--network', 'bridge'], io().io)).rejects.toThrow(/--network must be one of none, host/);
    await expect(runCommand.run([fixture('node-cjs')], io({ LAMBDAFIT_SANDBOX: 'docker' }).io)).rejects.toThrow(/LAMBDAFIT_SANDBOX must be auto, kernel or portable/);
  });

  it('extracts zipped layers to /opt', async () => {
    const { execFileSync } = await import('node:child_process');
    const layer = await makeBundle({ 'nodejs/node_modules/greet/index.js': 'module.exports = "hello from a zipped layer";' });
    execFileSync('zip', ['-q', '-r', `${layer}/layer.zip`, 'nodejs'], { cwd: layer });
    const fn = await makeBundle({ 'package.json': '{"type":"commonjs"}', 'index.js': 'exports.handler = async () => require("greet");' });
    const t = io();
    expect(await runCommand.run([fn, '--layer', `${layer}/layer.zip`, '--json'], t.io)).toBe(0);
    expect(JSON.parse(t.out()).invocations[0].response).toBe('hello from a zipped layer');
  });

  it('runs a zipped bundle, named after the archive', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = await makeBundle({});
    execFileSync('zip', ['-q', '-r', `${dir}/my-fn.zip`, '.'], { cwd: fixture('node-cjs') });
    const t = io({ LAMBDAFIT_SANDBOX: 'portable' });
    const code = await runCommand.run([`${dir}/my-fn.zip`, '--json'], t.io);
    expect(code).toBe(0);
    const doc = JSON.parse(t.out());
    expect(doc.function.functionName).toBe('my-fn');
    expect(doc.isolation.mode).toBe('portable');
    expect(doc.invocations[0].response).toMatchObject({ functionName: 'my-fn', runtime: 'node-cjs' });
  });
});
