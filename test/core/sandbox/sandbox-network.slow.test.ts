import { afterAll, describe, expect, it } from 'vitest';
import { kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
if (!kernel) console.warn('sandbox-network: kernel isolation unavailable here; skipping.');
afterAll(removeBundles);

const probe = `const net = require('node:net');
const os = require('node:os');
const connect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 2000 });
  s.on('connect', () => { s.destroy(); resolve('connected'); });
  s.on('error', (e) => resolve(e.code));
  s.on('timeout', () => { s.destroy(); resolve('timeout'); });
});
exports.handler = async (event) => ({ interfaces: Object.keys(os.networkInterfaces()), api: process.env.AWS_LAMBDA_RUNTIME_API, host: await connect(event.host, event.port) });`;

describe.skipIf(!kernel)('--network none', () => {
  it('leaves the function only a loopback while the Runtime API still works at 127.0.0.1:9001', async () => {
    const { createServer } = await import('node:net');
    const outside = createServer((s) => s.end());
    await new Promise<void>((r) => outside.listen(0, '127.0.0.1', r));
    const port = (outside.address() as { port: number }).port;
    const dir = await makeBundle({ 'package.json': '{"type":"commonjs"}', 'index.js': probe });
    try {
      const isolated = await openSandbox(dir, {}, { network: 'none' });
      try {
        const r = await isolated.invoke(JSON.stringify({ host: '127.0.0.1', port }));
        expect(r.status).toBe('success');
        expect(r.response).toMatchObject({ interfaces: ['lo'], api: '127.0.0.1:9001', host: 'ECONNREFUSED' });
        expect((await isolated.invoke(JSON.stringify({ host: '127.0.0.1', port }))).cold).toBe(false);
      } finally {
        await isolated.close();
      }
      const shared = await openSandbox(dir, {});
      try {
        const r = await shared.invoke(JSON.stringify({ host: '127.0.0.1', port }));
        expect(r.response).toMatchObject({ host: 'connected' });
      } finally {
        await shared.close();
      }
    } finally {
      outside.close();
    }
  });
});
