import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startInvokeApiServer } from '../../../src/core/sandbox/invoke-api-server.js';
import { fixture, kernelIsolation, openSandbox } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();

function invoke(url: string, body: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/2015-03-31/functions/node-probe/invocations`, { method: 'POST', headers: { 'X-Amz-Log-Type': 'Tail' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Invoke API server over a real sandbox', () => {
  it('gives concurrent invocations separate environments and reuses them warm afterwards', async () => {
    const sb = await openSandbox(fixture('node-probe'), { memorySize: 256, timeout: 30 }, { isolation: kernel ? 'kernel' : 'portable' });
    const server = await startInvokeApiServer({ sandbox: sb, port: 0 });
    try {
      const sleep = JSON.stringify({ action: 'sleep', ms: 1500 });
      const [a, b] = await Promise.all([invoke(server.url, sleep), invoke(server.url, sleep)]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      const tails = [a, b].map((r) => Buffer.from(String(r.headers['x-amz-log-result']), 'base64').toString());
      // Both were cold starts: two environments, each with its own init.
      for (const tail of tails) expect(tail).toMatch(/^INIT_START /m);
      const echo = JSON.stringify({ action: 'echo', value: 1 });
      const [c, d] = await Promise.all([invoke(server.url, echo), invoke(server.url, echo)]);
      const environments = [c, d].map((r) => JSON.parse(r.body).environmentId as string);
      const warmTails = [c, d].map((r) => Buffer.from(String(r.headers['x-amz-log-result']), 'base64').toString());
      for (const tail of warmTails) expect(tail).not.toContain('INIT_START');
      expect(new Set(environments).size).toBe(2);
      const failed = await invoke(server.url, JSON.stringify({ action: 'throw', message: 'nope', name: 'CustomError' }));
      expect(failed.headers['x-amz-function-error']).toBe('Unhandled');
      expect(JSON.parse(failed.body)).toMatchObject({ errorType: 'CustomError', errorMessage: 'nope' });
    } finally {
      await server.close();
      await sb.close();
    }
  });
});
