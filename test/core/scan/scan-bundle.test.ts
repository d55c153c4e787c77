import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { writeZipFromSource } from '../../../src/core/archive/write-zip-from-source.js';
import type { ProgressEvent } from '../../../src/core/progress.js';
import type { BundleIndex } from '../../../src/core/scan/bundle-index.js';
import { listBundle } from '../../../src/core/scan/list-bundle.js';
import { scanBundle } from '../../../src/core/scan/scan-bundle.js';
import { makeTempDir, run } from '../archive/test-helpers.js';

const tmp = makeTempDir('lf-scan-');
const root = join(tmp.dir, 'bundle');
const layer = join(tmp.dir, 'layer');
afterAll(() => tmp.cleanup());

function put(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

function onnxWithExternalData(location: string): Buffer {
  const loc = Buffer.from(location);
  return Buffer.concat([Buffer.from([0x08, 0x08, 0x12, 0x04]), Buffer.from('test'), Buffer.from('\x0a\x08location\x12', 'latin1'), Buffer.from([loc.length]), loc]);
}

beforeAll(() => {
  const shared = 'module.exports = function shared() { return 42; };\n'.repeat(20);
  put(join(root, 'index.js'), 'exports.handler = async () => require("a")();\n');
  put(join(root, 'node_modules/a/index.js'), shared);
  put(join(root, 'node_modules/a/README.md'), '# a\n');
  put(join(root, 'node_modules/a/node_modules/c/c.js'), shared);
  put(join(root, 'node_modules/@s/b/lib/x.d.ts'), 'export declare const x: number;\n');
  put(join(root, 'node_modules/@s/b/tool.dat'), readFileSync('/bin/ls'));
  put(join(root, 'model/model.onnx'), onnxWithExternalData('model.weights'));
  put(join(root, 'model/model.weights'), Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31) % 256)));
  put(join(root, 'python/lib/python3.11/site-packages/six.py'), 'import sys\n');
  put(join(root, 'python/lib/python3.11/site-packages/six-1.16.0.dist-info/RECORD'), 'six.py,sha256=x,11\nsix-1.16.0.dist-info/RECORD,,\n');
  mkdirSync(join(root, 'empty/inner'), { recursive: true });
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  symlinkSync('../a/index.js', join(root, 'node_modules/.bin/a'));
  put(join(layer, 'nodejs/node_modules/a/index.js'), shared);
});

const byPath = (index: BundleIndex, path: string) => index.code.files.find((f) => f.path === path);

describe('scanBundle', () => {
  let first: BundleIndex;
  const events: ProgressEvent[] = [];
  const cacheDir = join(tmp.dir, 'cache');

  it('indexes kinds, owners, hashes, natives, models, symlinks and duplicates', async () => {
    first = await scanBundle({ path: root, layers: [layer], cacheDir, onProgress: (e) => events.push(e) });
    expect(byPath(first, 'node_modules/a/index.js')).toMatchObject({ kind: 'source', package: 'a', ecosystem: 'npm' });
    expect(byPath(first, 'node_modules/a/node_modules/c/c.js')?.package).toBe('c');
    expect(byPath(first, 'node_modules/@s/b/lib/x.d.ts')).toMatchObject({ kind: 'typings', package: '@s/b' });
    expect(byPath(first, 'node_modules/@s/b/tool.dat')).toMatchObject({ kind: 'native', native: { format: 'elf', arch: 'x64', libc: 'glibc' } });
    expect(byPath(first, 'node_modules/a/README.md')?.kind).toBe('docs');
    expect(byPath(first, 'model/model.onnx')?.model?.format).toBe('onnx');
    expect(byPath(first, 'model/model.weights')).toMatchObject({ kind: 'model', model: { format: 'onnx-external-data' } });
    expect(byPath(first, 'python/lib/python3.11/site-packages/six.py')).toMatchObject({ package: 'six', ecosystem: 'python' });
    expect(byPath(first, 'node_modules/.bin/a')).toMatchObject({ bytes: 0, symlinkTarget: '../a/index.js', kind: 'source' });
    expect(byPath(first, 'node_modules/.bin/a')?.hash).toBeUndefined();
    expect(first.warnings.join('\n')).toMatch(/1 symlink inside the bundle .*node_modules\/\.bin\/a/);
    expect(first.code.emptyDirectories).toEqual(['empty', 'empty/inner']);
    const index = readFileSync(join(root, 'index.js'));
    expect(byPath(first, 'index.js')?.hash).toBe(createHash('sha256').update(index).digest('hex'));
    expect(first.duplicates).toHaveLength(1);
    expect(first.duplicates[0]?.paths).toEqual(['/opt/nodejs/node_modules/a/index.js', 'node_modules/a/index.js', 'node_modules/a/node_modules/c/c.js']);
    expect(first.layers[0]?.files[0]?.package).toBe('a');
  });

  it('sums regular file sizes and predicts the exact size of the zip writeZip writes', async () => {
    const expected = first.code.files.filter((f) => f.symlinkTarget === undefined).reduce((n, f) => n + f.bytes, 0);
    expect(first.code.unzippedBytes).toBe(expected);
    const out = join(tmp.dir, 'bundle.zip');
    const r = await writeZipFromSource(await openBundleSource(root), out);
    expect(first.code.zippedBytes).toBe(r.bytes);
    expect(first.code.files.every((f) => f.compressedBytes !== undefined)).toBe(true);
  });

  it('reports throttled progress ending with scan:done', () => {
    const types = events.map((e) => e.type);
    expect(types).toContain('scan:walk');
    expect(types).toContain('scan:compress');
    expect(types.at(-1)).toBe('scan:done');
    expect(events.length).toBeLessThan(40);
    expect(events.at(-1)).toMatchObject({ type: 'scan:done', files: first.code.files.length + 1, unzippedBytes: first.code.unzippedBytes + first.layers[0]!.unzippedBytes });
  });

  it('answers a re-scan of the unchanged tree from the cache, and notices a changed file', async () => {
    const again: ProgressEvent[] = [];
    const second = await scanBundle({ path: root, layers: [layer], cacheDir, onProgress: (e) => again.push(e) });
    expect(second).toEqual(first);
    const codeFiles = first.code.files.length;
    const codeProgress = again.filter((e) => e.type === 'scan:compress' && e.total === codeFiles).at(-1);
    expect(codeProgress).toMatchObject({ done: codeFiles, cachedFiles: codeFiles - 1 }); // all but the symlink
    put(join(root, 'node_modules/a/README.md'), '# A\n');
    const third = await scanBundle({ path: root, cacheDir });
    expect(byPath(third, 'node_modules/a/README.md')?.hash).not.toBe(byPath(first, 'node_modules/a/README.md')?.hash);
    put(join(root, 'node_modules/a/README.md'), '# a\n');
  });

  it('ignores a corrupt cache', async () => {
    const dir = join(cacheDir, 'scan');
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), '{"format":1,"lambdafit":');
    const r = await scanBundle({ path: root, layers: [layer], cacheDir });
    expect(r).toEqual(first);
  });

  it('gives the same index for a zip and a tar.gz of the tree', async () => {
    const zip = join(tmp.dir, 'in.zip');
    const tgz = join(tmp.dir, 'in.tgz');
    run('zip', ['-r', '-y', '-q', zip, '.'], root);
    run('tar', ['-czf', tgz, '-C', root, '.']);
    for (const input of [zip, tgz]) {
      const r = await scanBundle({ path: input, cacheDir: false });
      expect(r.code.zippedBytes).toBe(first.code.zippedBytes);
      expect(r.code.files.map(({ mode: _m, ...f }) => f)).toEqual(first.code.files.map(({ mode: _m, ...f }) => f));
    }
  });

  it('stops with CancelledError when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(scanBundle({ path: root, cacheDir: false, signal: controller.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });
});

describe('listBundle', () => {
  it('classifies like the scan without hashing or compressing', async () => {
    const listed = await listBundle({ path: root });
    const scanned = await scanBundle({ path: root, cacheDir: false });
    expect(listed.code.files.map((f) => [f.path, f.kind, f.package, f.native?.arch])).toEqual(scanned.code.files.map((f) => [f.path, f.kind, f.package, f.native?.arch]));
    expect(listed.code.files.some((f) => f.hash !== undefined || (f.compressedBytes !== undefined && f.symlinkTarget === undefined))).toBe(false);
    expect('zippedBytes' in listed.code).toBe(false);
    copyFileSync(join(root, 'index.js'), join(tmp.dir, 'unused.js'));
  });
});
