import { afterAll, describe, expect, it } from 'vitest';
import { resolveFunctionConfig } from '../../../src/core/config/resolve-function-config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { makeBundle, removeBundles } from '../sandbox/sandbox-test-kit.js';

afterAll(removeBundles);

describe('resolveFunctionConfig', () => {
  it("infers Node.js from a package.json and uses Lambda's defaults, saying so", async () => {
    const dir = await makeBundle({ 'package.json': '{}', 'index.mjs': 'export const handler = async () => 1;' });
    const fn = await resolveFunctionConfig(dir, {});
    expect(fn).toMatchObject({ runtime: 'nodejs20.x', handler: 'index.handler', memorySize: 128, ephemeralStorage: 512, timeout: 3, architecture: 'x86_64', layers: [] });
    expect(fn.assumptions).toHaveLength(5);
    expect(fn.assumptions[0]).toBe('runtime not set: using nodejs20.x because the bundle has a package.json at its root.');
    expect(fn.assumptions).toContain("memorySize not set: using Lambda's default of 128 MB.");
  });

  it('infers a custom runtime from a bootstrap and Python from a handler file', async () => {
    const custom = await makeBundle({ bootstrap: { content: '#!/bin/sh\n', mode: 0o755 } });
    expect(await resolveFunctionConfig(custom, {})).toMatchObject({ runtime: 'provided.al2023', handler: 'bootstrap' });
    const py = await makeBundle({ 'app.py': 'def handler(event, context):\n    return 1\n', 'package.json': '{}' });
    const fromHandler = await resolveFunctionConfig(py, { handler: 'app.handler' });
    expect(fromHandler.runtime).toBe('python3.11');
    expect(fromHandler.assumptions[0]).toMatch(/because the handler file app\.handler names is a Python file/);
    const found = await resolveFunctionConfig(await makeBundle({ 'main.py': 'def lambda_handler(e, c):\n    pass\n' }), {});
    expect(found).toMatchObject({ runtime: 'python3.11', handler: 'main.lambda_handler' });
  });

  it('lets overrides beat the file, which beats inference, and records nothing it did not assume', async () => {
    const dir = await makeBundle({ 'index.js': '' });
    const fn = await resolveFunctionConfig(
      dir,
      { runtime: 'nodejs22.x', handler: 'index.main', memorySize: 3008, ephemeralStorage: 1024, timeout: 30, layers: ['layers/a'], environment: { A: '1' } },
      { memorySize: 1769, timeout: 60 },
    );
    expect(fn).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.main', memorySize: 1769, ephemeralStorage: 1024, timeout: 60, environment: { A: '1' } });
    expect(fn.layers).toEqual([`${dir}/layers/a`]);
    expect(fn.assumptions).toEqual([]);
  });

  it('refuses reserved environment keys and environments over 4 KB, with Lambda messages', async () => {
    const dir = await makeBundle({ 'index.js': '' });
    await expect(resolveFunctionConfig(dir, { environment: { AWS_REGION: 'x' } })).rejects.toThrow(/reserved keys that are currently not supported for modification/);
    const big = { environment: { BIG: 'x'.repeat(4100) } };
    await expect(resolveFunctionConfig(dir, big)).rejects.toBeInstanceOf(ConfigError);
    await expect(resolveFunctionConfig(dir, big)).rejects.toThrow(/exceeded the 4KB limit/);
  });

  it('names the function after the bundle or archive, and explains an unknown runtime', async () => {
    const dir = await makeBundle({ 'index.js': '' });
    expect((await resolveFunctionConfig(dir, {}, { nameFrom: '/x/my function.zip' })).functionName).toBe('my-function');
    const empty = await makeBundle({ 'README.md': '' });
    await expect(resolveFunctionConfig(empty, {})).rejects.toThrow(/Cannot tell the runtime of .*set "runtime" in lambdafit\.json or pass --runtime/);
  });
});
