import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFetchShimSource } from '../../../../src/core/fit/placement/model-fetch-shim.js';
import { generateQaModel } from '../../../../src/core/demo/generate-qa-model.js';
import { startObjectStore, type ObjectStore } from '../../../../src/core/object-store/object-store-server.js';
import { packageRoot } from '../../../../src/core/package-root.js';

let dir: string;
let store: ObjectStore;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-shim-'));
  mkdirSync(join(dir, 'store', 'models'), { recursive: true });
  const model = join(dir, 'qa.onnx');
  await generateQaModel(model, { spec: { vocabSize: 800, hidden: 64, layers: 1, heads: 4, ffn: 256, maxPositions: 64 } });
  copyFileSync(model, join(dir, 'store', 'models', 'qa.onnx'));
  store = await startObjectStore({ dir: join(dir, 'store') });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A handler-like script: loads the model by path as the demo does, prints one output. */
const script = (modelPath: string) => `
const ort = require('onnxruntime-node');
(async () => {
  const session = await ort.InferenceSession.create(${JSON.stringify(modelPath)});
  const ids = new ort.Tensor('int64', BigInt64Array.from([101n, 500n, 102n]), [1, 3]);
  const mask = new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]);
  const out = await session.run({ input_ids: ids, attention_mask: mask });
  process.stdout.write(JSON.stringify(Array.from(out.start_logits.data)));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('the model-from-object-storage loader', () => {
  it('fetches the model through the AWS SDK from the S3-compatible store and answers like a local load', async () => {
    // Asynchronous child processes: the store runs in this process and must keep answering.
    const run = (file: string, env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, [file], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    const root = packageRoot();
    writeFileSync(join(dir, 'shim.cjs'), modelFetchShimSource({ modelPath: join(dir, 'task', 'model.onnx'), bucket: 'models', key: 'qa.onnx', taskRoot: root }));
    writeFileSync(join(dir, 'remote.cjs'), script(join(dir, 'task', 'model.onnx'))); // no such file: only the store has it
    writeFileSync(join(dir, 'local.cjs'), script(join(dir, 'qa.onnx')));
    const env = { ...process.env, NODE_PATH: join(root, 'node_modules'), AWS_ENDPOINT_URL_S3: store.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const remote = await run('remote.cjs', { ...env, NODE_OPTIONS: `--require ${join(dir, 'shim.cjs')}` });
    expect(remote.stderr).not.toMatch(/Error/); // the SDK may warn about the Node version, nothing more
    const local = await run('local.cjs', env);
    const fetched = remote.stdout.slice(remote.stdout.indexOf('['));
    expect(JSON.parse(fetched)).toEqual(JSON.parse(local.stdout));
    expect(remote.stdout).toMatch(/lambdafit: fetched s3:\/\/models\/qa\.onnx \(\d+ bytes\)/);
    expect(store.stats.gets.some((g) => g.key === 'qa.onnx')).toBe(true);
  }, 120_000);
});
