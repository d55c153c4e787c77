import { afterAll, describe, expect, it } from 'vitest';
import { kernelIsolation, makeBundle, openSandbox, removeBundles } from './sandbox-test-kit.js';

const kernel = await kernelIsolation();
afterAll(removeBundles);

// Layers are extracted under /opt in order (later ones win); Node finds /opt/nodejs/node_modules
// through NODE_PATH from require() but not from ESM import; Python finds /opt/python.
describe.each(kernel ? (['kernel', 'portable'] as const) : (['portable'] as const))('layers (%s)', (isolation) => {
  it('serves layer packages to require() in order, not to ESM import, and to Python', async () => {
    const first = await makeBundle({
      'nodejs/node_modules/greet/index.js': 'module.exports = "first layer";',
      'nodejs/node_modules/only-first/index.js': 'module.exports = "only in first";',
      'python/helper.py': 'WHO = "python layer"\n',
    });
    const second = await makeBundle({ 'nodejs/node_modules/greet/index.js': 'module.exports = "second layer";' });
    const fn = await makeBundle({
      'package.json': '{"type":"commonjs"}',
      'index.js': `exports.handler = async () => {
        let esm;
        try { await import('greet'); esm = 'found'; } catch (e) { esm = e.code; }
        return { greet: require('greet'), first: require('only-first'), esm };
      };`,
    });
    const sb = await openSandbox(fn, { layers: [first, second] }, { isolation });
    try {
      const r = await sb.invoke('{}');
      expect(r.status).toBe('success');
      expect(r.response).toEqual({ greet: 'second layer', first: 'only in first', esm: 'ERR_MODULE_NOT_FOUND' });
    } finally {
      await sb.close();
    }
    const py = await makeBundle({ 'lambda_function.py': 'import helper\ndef lambda_handler(event, context):\n    return helper.WHO\n' });
    const pySb = await openSandbox(py, { layers: [first] }, { isolation });
    try {
      expect((await pySb.invoke('{}')).response).toBe('python layer');
    } finally {
      await pySb.close();
    }
  });

  it('runs a custom runtime whose bootstrap comes from a layer', async () => {
    const layer = await makeBundle({
      bootstrap: {
        content: `#!/bin/sh
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
while true; do
  curl -sS -D /tmp/h -o /tmp/event "$api/next"
  id=$(grep -i '^lambda-runtime-aws-request-id:' /tmp/h | cut -d' ' -f2 | tr -d '\\r')
  curl -sS -o /dev/null -X POST -d "\\"bootstrap from $0 for $_HANDLER\\"" "$api/$id/response"
done
`,
        mode: 0o755,
      },
    });
    const fn = await makeBundle({ 'handler.txt': 'x' });
    const sb = await openSandbox(fn, { runtime: 'provided.al2023', handler: 'my.handler', layers: [layer] }, { isolation });
    try {
      const r = await sb.invoke('{}');
      expect(r.status).toBe('success');
      expect(r.response).toBe(`bootstrap from ${isolation === 'kernel' ? '/opt/bootstrap' : `${layer}/bootstrap`} for my.handler`);
    } finally {
      await sb.close();
    }
  });
});
