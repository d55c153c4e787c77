import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { writeZip } from '../../../src/core/archive/write-zip.js';
import { writeZipFromSource } from '../../../src/core/archive/write-zip-from-source.js';
import { makeTempDir, python, run } from './test-helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = makeTempDir('lf-writezip-')));
afterEach(() => tmp.cleanup());

/** A small tree with text, binary, incompressible, executable, empty, unicode, symlink and empty-dir entries. */
function makeTree(root: string): void {
  mkdirSync(join(root, 'lib/deep'), { recursive: true });
  mkdirSync(join(root, 'empty/nested'), { recursive: true });
  writeFileSync(join(root, 'index.js'), 'exports.handler = async () => "hi";\n'.repeat(50));
  writeFileSync(join(root, 'lib/deep/data.bin'), Buffer.concat([Buffer.alloc(5000), readFileSync('/bin/ls').subarray(0, 20000)]));
  writeFileSync(join(root, 'lib/random.dat'), randomBytes(50_000));
  writeFileSync(join(root, 'lib/empty.txt'), '');
  writeFileSync(join(root, 'bootstrap'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'bootstrap'), 0o700);
  writeFileSync(join(root, 'lib/ünï.txt'), 'unicode name');
  symlinkSync('deep/data.bin', join(root, 'lib/link.bin'));
}

const INSPECT = `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for i in z.infolist():
    print(i.filename, oct(i.external_attr >> 16), i.compress_type, i.date_time, i.file_size, len(i.extra))
`;

describe('writeZip', () => {
  it('writes a zip that unzip -t and python zipfile accept, with Lambda modes and fixed times', async () => {
    const src = join(tmp.dir, 'src');
    makeTree(src);
    const out = join(tmp.dir, 'out.zip');
    const r = await writeZipFromSource(await openBundleSource(src), out);
    expect(r.bytes).toBe(statSync(out).size);
    expect(run('unzip', ['-tq', out])).toMatch(/No errors/);
    const lines = python(INSPECT, out).trim().split('\n');
    const info = Object.fromEntries(lines.map((l) => [l.split(' ')[0], l]));
    expect(Object.keys(info)).toEqual(['bootstrap', 'empty/', 'empty/nested/', 'index.js', 'lib/', 'lib/deep/', 'lib/deep/data.bin', 'lib/empty.txt', 'lib/link.bin', 'lib/random.dat', 'lib/ünï.txt']);
    expect(info['bootstrap']).toContain('0o100755');
    expect(info['index.js']).toContain('0o100644 8 (1980, 1, 1, 0, 0, 0)');
    expect(info['empty/']).toContain('0o40755');
    expect(info['lib/link.bin']).toContain('0o120777 0');
    expect(info['lib/random.dat']).toMatch(/0o100644 0 /); // incompressible: stored
    expect(info['lib/empty.txt']).toMatch(/0o100644 0 /);
    for (const l of lines) expect(l.endsWith(' 0')).toBe(true); // no extra fields
  });

  it('writes byte-identical zips for the same input, atomically', async () => {
    const src = join(tmp.dir, 'src');
    makeTree(src);
    const a = join(tmp.dir, 'a.zip');
    const b = join(tmp.dir, 'b.zip');
    await writeZipFromSource(await openBundleSource(src), a);
    await writeZipFromSource(await openBundleSource(src), b, { concurrency: 1 });
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    expect(readdirSync(tmp.dir).sort()).toEqual(['a.zip', 'b.zip', 'src']);
  });

  it('uses SOURCE_DATE_EPOCH for timestamps', async () => {
    const out = join(tmp.dir, 'e.zip');
    await writeZip([{ path: 'a.txt', type: 'file', mode: 0o644, size: 2, readAll: async () => Buffer.from('hi') }], out, {
      env: { SOURCE_DATE_EPOCH: String(Date.UTC(2024, 4, 17, 10, 30, 12) / 1000) },
    });
    expect(python(INSPECT, out)).toContain('(2024, 5, 17, 10, 30, 12)');
  });

  it('streams big files (deflated or stored) to the same bytes as buffering them', async () => {
    const src = join(tmp.dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'text.txt'), 'some repeated text line\n'.repeat(200_000));
    writeFileSync(join(src, 'noise.bin'), randomBytes(3_000_000));
    writeFileSync(join(src, 'exe.bin'), Buffer.concat([readFileSync('/bin/ls'), readFileSync('/bin/ls')]));
    const buffered = join(tmp.dir, 'buffered.zip');
    const streamed = join(tmp.dir, 'streamed.zip');
    await writeZipFromSource(await openBundleSource(src), buffered);
    await writeZipFromSource(await openBundleSource(src), streamed, { streamAboveBytes: 1000 });
    expect(Buffer.compare(readFileSync(buffered), readFileSync(streamed))).toBe(0);
    expect(run('unzip', ['-tq', streamed])).toMatch(/No errors/);
  });

  it('refuses entry paths that are not normalised', async () => {
    await expect(writeZip([{ path: '../x', type: 'file', mode: 0o644, size: 0, readAll: async () => Buffer.alloc(0) }], join(tmp.dir, 'x.zip'))).rejects.toMatchObject({
      code: 'E_ZIP_SLIP',
    });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });
});
