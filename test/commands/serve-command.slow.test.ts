import { request } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/commands/command-io.js';
import { serveCommand } from '../../src/commands/serve-command.js';
import { fixture } from '../core/sandbox/sandbox-test-kit.js';

function post(url: string, body: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/2015-03-31/functions/node-cjs/invocations`, { method: 'POST', headers: { 'X-Amz-Log-Type': 'Tail' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('lambdafit serve', () => {
  it('serves the Invoke API until cancelled, then exits 0', async () => {
    let stdout = '';
    let stderr = '';
    let announce: (url: string) => void;
    const announced = new Promise<string>((r) => (announce = r));
    const controller = new AbortController();
    const io: CommandIO = {
      stdout: new Writable({
        write: (chunk, _e, done) => {
          stdout += chunk;
          const m = /"url": "([^"]+)"/.exec(stdout);
          if (m) announce(m[1]!);
          done();
        },
      }),
      stderr: new Writable({ write: (chunk, _e, done) => ((stderr += chunk), done()) }),
      signal: controller.signal,
      debug: false,
      cwd: process.cwd(),
      env: {},
    };
    const running = serveCommand.run([fixture('node-cjs'), '--port', '0', '--json', '--memory', '256'], io);
    const url = await announced;
    expect(JSON.parse(stdout)).toMatchObject({ functionName: 'node-cjs', function: { memorySize: 256 } });
    const ok = await post(url, '{"action":"echo","value":"served"}');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ echo: 'served', functionName: 'node-cjs', memoryLimitInMB: '256' });
    expect(Buffer.from(String(ok.headers['x-amz-log-result']), 'base64').toString()).toMatch(/REPORT RequestId: /);
    const failed = await post(url, '{"action":"fail","message":"served error"}');
    expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(failed.body)).toMatchObject({ errorType: 'Error', errorMessage: 'served error' });
    controller.abort();
    expect(await running).toBe(0);
    expect(stderr).toMatch(/#2 warm {2}error \(Error\)/);
    expect(stderr).toContain('stopped after 2 invocations');
  });
});
