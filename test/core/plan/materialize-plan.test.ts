import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { writeZipFromSource } from '../../../src/core/archive/write-zip-from-source.js';
import { generateQaModel } from '../../../src/core/demo/generate-qa-model.js';
import { InputError } from '../../../src/core/errors.js';
import { packageRoot } from '../../../src/core/package-root.js';
import type { PlanStep, QuantizeStep } from '../../../src/core/plan/fit-plan.js';
import { materializePlan } from '../../../src/core/plan/materialize-plan.js';
import { quantizeOnnxFile } from '../../../src/core/quantize/quantize-onnx-file.js';
import { openQuantizedModelCache } from '../../../src/core/quantize/quantized-model-cache.js';
import { planFor } from './plan-for.js';

const fixture = join(packageRoot(), 'fixtures', 'fit', 'node-breaking-rule');
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
let dir: string;
let n = 0;
const fresh = (name: string) => join(dir, `${name}-${n++}`);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lambdafit-materialize-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prune: PlanStep[] = [
  {
    kind: 'prune',
    ruleId: 'docs',
    ruleSet: 'node-safe',
    risk: 'safe',
    description: 'docs',
    files: [
      { path: 'node_modules/greeter/README.md', bytes: 0 },
      { path: 'node_modules/greeter/test/greeter.test.js', bytes: 0 },
    ],
    bytes: 0,
  },
  { kind: 'prune', ruleId: 'lib-folders', ruleSet: 'fixture-breaking', risk: 'safe', description: 'lib', files: [{ path: 'node_modules/greeter/lib/index.js', bytes: 0 }, { path: 'node_modules/greeter/lib/unused-a.js', bytes: 0 }], bytes: 0 },
  { kind: 'keep', ruleId: 'lib-folders', ruleSet: 'fixture-breaking', files: ['node_modules/greeter/lib/index.js'], evidence: { tests: 2, failure: 'x', mismatches: [] } },
];

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, p));
    else out.push(p);
  }
  return out.sort();
}

describe('materializePlan', () => {
  it('builds the function folder from a folder input with hard links, without the pruned files and without touching the input', async () => {
    const bundle = fresh('bundle');
    cpSync(fixture, bundle, { recursive: true });
    const before = listFiles(bundle);
    const plan = await planFor(bundle, prune);
    const workDir = fresh('work');
    const m = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir: false, workDir });
    const shipped = listFiles(m.functionDir);
    expect(shipped).not.toContain('node_modules/greeter/README.md');
    expect(shipped).not.toContain('node_modules/greeter/lib/unused-a.js');
    expect(shipped).toContain('node_modules/greeter/lib/index.js'); // protected by the keep step
    expect(shipped).toHaveLength(plan.predicted.files);
    expect(existsSync(join(m.functionDir, 'node_modules/greeter/test'))).toBe(false); // emptied folders are not recreated
    expect(statSync(join(m.functionDir, 'index.js')).ino).toBe(statSync(join(bundle, 'index.js')).ino);
    expect(m.applied.removed).toEqual(['node_modules/greeter/README.md', 'node_modules/greeter/lib/unused-a.js', 'node_modules/greeter/test/greeter.test.js']);
    expect(m.layers).toEqual([]);
    expect(m.objects).toEqual([]);
    expect(listFiles(bundle)).toEqual(before);
  });

  it('extracts only the shipped files of a zip input', async () => {
    const zip = `${fresh('bundle')}.zip`;
    const source = await openBundleSource(fixture);
    await writeZipFromSource(source, zip);
    await source.close();
    const plan = await planFor(fixture, prune);
    const m = await materializePlan({ inputPath: zip, plan, config: {}, configDir: dir, cacheDir: false, workDir: fresh('work') });
    expect(listFiles(m.functionDir)).toHaveLength(plan.predicted.files);
    expect(readFileSync(join(m.functionDir, 'index.js'))).toEqual(readFileSync(join(fixture, 'index.js')));
  });

  it('refuses a plan made for another tree before writing anything', async () => {
    const bundle = fresh('bundle');
    cpSync(fixture, bundle, { recursive: true });
    const plan = await planFor(bundle, prune);
    writeFileSync(join(bundle, 'index.js'), '// changed\n');
    const workDir = fresh('work');
    mkdirSync(workDir);
    const err = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir: false, workDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('E_PLAN_OTHER_TREE');
    expect((err as Error).message).toMatch(/another bundle .*lambdafit fit/);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('writes placement loaders, objects and layers, and checks every pinned hash', async () => {
    const bundle = fresh('bundle');
    cpSync(fixture, bundle, { recursive: true });
    const loader = "module.exports = 'loader';\n";
    const readme = readFileSync(join(bundle, 'node_modules/greeter/README.md'));
    const objectZip = fresh('expected.zip');
    // The zip object's expected bytes: the same deterministic writer over the same two files.
    const src = await openBundleSource(bundle);
    await writeZipFromSource(src, objectZip, { filter: (e) => e.path.startsWith('node_modules/greeter/lib/unused-'), env: {} });
    await src.close();
    const zipBytes = readFileSync(objectZip);
    const placement: PlanStep = {
      kind: 'placement',
      strategy: 'model-from-s3',
      description: 'test',
      moved: [{ path: 'node_modules/greeter/README.md', bytes: readme.length }],
      added: [{ path: 'lambdafit/loader.cjs', content: loader, hash: sha(loader) }],
      objects: [
        { key: 'docs/README.md', from: ['node_modules/greeter/README.md'], format: 'file', bytes: readme.length, hash: sha(readme) },
        { key: 'lib.zip', from: ['node_modules/greeter/lib/unused-a.js', 'node_modules/greeter/lib/unused-b.js', 'node_modules/greeter/lib/unused-c.js'], format: 'zip', bytes: zipBytes.length, hash: sha(zipBytes) },
      ],
      layers: [{ name: 'greeter', files: [{ from: 'node_modules/greeter/package.json', to: 'nodejs/node_modules/greeter/package.json' }], unzippedBytes: 0, zippedBytes: 0 }],
      environment: { NODE_OPTIONS: '--require /var/task/lambdafit/loader.cjs', MODEL_BUCKET: 'b' },
    };
    const plan = await planFor(bundle, [placement]);
    const m = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir: false, workDir: fresh('work') });
    expect(readFileSync(join(m.functionDir, 'lambdafit/loader.cjs'), 'utf8')).toBe(loader);
    expect(existsSync(join(m.functionDir, 'node_modules/greeter/README.md'))).toBe(false);
    expect(m.objects.map((o) => [o.key, o.bytes, o.hash])).toEqual([
      ['docs/README.md', readme.length, sha(readme)],
      ['lib.zip', zipBytes.length, sha(zipBytes)],
    ]);
    expect(readFileSync(m.objects[1]!.file)).toEqual(zipBytes);
    expect(m.layers.map((l) => l.name)).toEqual(['greeter']);
    expect(existsSync(join(m.layers[0]!.dir, 'nodejs/node_modules/greeter/package.json'))).toBe(true);
    expect(m.environment).toEqual(placement.environment);

    const tampered = await planFor(bundle, [{ ...placement, added: [{ ...placement.added[0]!, content: loader + '//\n' }] }]);
    const err = await materializePlan({ inputPath: bundle, plan: tampered, config: {}, configDir: bundle, cacheDir: false, workDir: fresh('work') }).catch((e: unknown) => e);
    expect((err as InputError).code).toBe('E_PLAN_HASH');
  });

  it('takes quantized models from the cache, re-quantizes identically on a miss, and refuses a model it cannot reproduce', async () => {
    const bundle = fresh('bundle');
    cpSync(fixture, bundle, { recursive: true });
    mkdirSync(join(bundle, 'model'));
    await generateQaModel(join(bundle, 'model', 'model.onnx'), { spec: { vocabSize: 500, hidden: 32, layers: 1, heads: 2, ffn: 64, maxPositions: 64 }, seed: 3 });
    const q = await quantizeOnnxFile(join(bundle, 'model', 'model.onnx'), { mode: 'int8', out: fresh('q.onnx'), verify: false, externalData: false });
    const bytes = readFileSync(q.output.path);
    const step: QuantizeStep = {
      kind: 'quantize',
      modelPath: 'model/model.onnx',
      mode: 'int8',
      variant: 'int8',
      inputBytes: q.input.bytes,
      outputBytes: bytes.length,
      outputCompressedBytes: bytes.length,
      outputHash: sha(bytes),
      accuracy: { cosine: 0.999, top1Agreement: 1, minCosine: 0.99, passed: true },
    };
    const cacheDir = fresh('cache');
    const plan = await planFor(bundle, [step]);

    // Miss: quantized again, the same bytes (the quantizer is deterministic), then cached.
    const first = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir, workDir: fresh('work') });
    expect(first.models).toEqual([{ modelPath: 'model/model.onnx', hash: step.outputHash, from: 'quantized' }]);
    expect(sha(readFileSync(join(first.functionDir, 'model/model.onnx')))).toBe(step.outputHash);
    expect(existsSync(openQuantizedModelCache(cacheDir).pathFor(step.outputHash))).toBe(true);
    // Hit.
    const second = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir, workDir: fresh('work') });
    expect(second.models[0]!.from).toBe('cache');
    expect(readFileSync(join(second.functionDir, 'model/model.onnx'))).toEqual(bytes);

    // A damaged cache entry is dropped and rebuilt, never shipped.
    writeFileSync(openQuantizedModelCache(cacheDir).pathFor(step.outputHash), 'garbage');
    const third = await materializePlan({ inputPath: bundle, plan, config: {}, configDir: bundle, cacheDir, workDir: fresh('work') });
    expect(third.models[0]!.from).toBe('quantized');

    const other = await planFor(bundle, [{ ...step, outputHash: 'a'.repeat(64) }]);
    const err = await materializePlan({ inputPath: bundle, plan: other, config: {}, configDir: bundle, cacheDir: false, workDir: fresh('work') }).catch((e: unknown) => e);
    expect((err as InputError).code).toBe('E_QUANTIZE_NOT_REPRODUCIBLE');
    expect((err as Error).message).toMatch(/model\/model\.onnx .*different file.*lambdafit fit/);
  });
});
