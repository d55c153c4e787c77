import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { listPackageClosure } from '../../../src/core/sandbox/package-closure.js';
import { packageRoot } from '../../../src/core/package-root.js';
import { kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
afterAll(removeBundles);

describe('the AWS SDK closure', () => {
  it('lists @aws-sdk/client-s3 and what it needs at run time, not the rest of lambdafit', () => {
    const closure = listPackageClosure(join(packageRoot(), 'node_modules'), '@aws-sdk/client-s3');
    const names = closure.map((p) => p.name);
    expect(names).toContain('@aws-sdk/client-s3');
    expect(names).toContain('@smithy/core');
    expect(names).not.toContain('onnxruntime-node');
    expect(names).not.toContain('zod');
  });
});

// Lambda's Node runtimes provide AWS SDK v3 at /var/runtime/node_modules (on NODE_PATH), and
// nothing else: a bundle that lacks a package must not find it in lambdafit's own tree.
describe.each(kernel ? (['kernel', 'portable'] as const) : (['portable'] as const))('the runtime-provided SDK (%s)', (isolation) => {
  it('resolves @aws-sdk/client-s3 for a handler that does not ship it, and not onnxruntime-node', async () => {
    const fn = await makeBundle({
      'package.json': '{"type":"commonjs"}',
      'index.js': `exports.handler = async () => {
        const { S3Client } = require('@aws-sdk/client-s3');
        let ort;
        try { require('onnxruntime-node'); ort = 'found'; } catch (e) { ort = e.code; }
        return { s3: typeof S3Client, from: require.resolve('@aws-sdk/client-s3').split('/node_modules/')[0], ort };
      };`,
    });
    // A full vCPU and a long timeout: loading the SDK at 128 MB (7 % of a CPU) takes seconds on a busy host.
    const sb = await openSandbox(fn, { memorySize: 1769, timeout: 60 }, { isolation });
    try {
      const r = await sb.invoke('{}');
      expect(r.status).toBe('success');
      const body = r.response as { s3: string; from: string; ort: string };
      expect(body.s3).toBe('function');
      expect(body.ort).toBe('MODULE_NOT_FOUND');
      if (isolation === 'kernel') expect(body.from).toBe('/var/runtime');
    } finally {
      await sb.close();
    }
  }, 60_000);
});
