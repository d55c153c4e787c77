import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleSource } from '../../../src/core/archive/bundle-source.js';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { openZipSource } from '../../../src/core/archive/open-zip-source.js';
import { makeTempDir, python, rejectsWithCode, run } from './test-helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = makeTempDir('lf-readzip-')));
afterEach(() => tmp.cleanup());

async function contents(src: BundleSource): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await src.entries()) {
    if (e.type === 'file') out[e.path] = (await src.readFile(e)).toString('base64');
    else if (e.type === 'symlink') out[e.path] = `-> ${e.linkTarget}`;
    else out[e.path] = 'dir';
  }
  return out;
}

async function chunksOf(src: BundleSource, path: string): Promise<Buffer> {
  const e = (await src.entries()).find((x) => x.path === path);
  const parts: Buffer[] = [];
  for await (const c of src.readChunks(e!)) parts.push(c);
  return Buffer.concat(parts);
}

describe('openZipSource on zips written by other tools', () => {
  it('reads a zip made by `zip -r -y` (dirs, symlinks, modes) with whole and streamed reads', async () => {
    const tree = join(tmp.dir, 'tree');
    mkdirSync(join(tree, 'a/b'), { recursive: true });
    writeFileSync(join(tree, 'a/b/text.txt'), 'hello '.repeat(10000));
    writeFileSync(join(tree, 'a/bin.dat'), randomBytes(300_000));
    writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('a/b/text.txt', join(tree, 'link'));
    const zip = join(tmp.dir, 'z.zip');
    run('zip', ['-r', '-y', '-q', zip, '.'], tree);
    const src = await openZipSource(zip);
    const entries = await src.entries();
    expect(entries.map((e) => `${e.path}:${e.type}`)).toEqual(['a:dir', 'a/b:dir', 'a/b/text.txt:file', 'a/bin.dat:file', 'link:symlink', 'run.sh:file']);
    expect(entries.find((e) => e.path === 'run.sh')?.mode).toBe(0o755);
    expect(entries.find((e) => e.path === 'link')?.linkTarget).toBe('a/b/text.txt');
    const text = entries.find((e) => e.path === 'a/b/text.txt')!;
    expect((await src.readFile(text)).toString()).toBe('hello '.repeat(10000));
    expect(Buffer.compare(await chunksOf(src, 'a/bin.dat'), readFileSync(join(tree, 'a/bin.dat')))).toBe(0);
    expect((await src.readRange(text, 6, 5)).toString()).toBe('hello');
    await src.close();
  });

  it('reads python zipfile output: data descriptors (unseekable stream) and forced zip64 headers', async () => {
    const desc = join(tmp.dir, 'desc.zip');
    const z64 = join(tmp.dir, 'z64.zip');
    python(
      `
import sys, zipfile, io
class Unseekable(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
with open(sys.argv[1], 'wb') as f:
    with zipfile.ZipFile(Unseekable(f), 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('x/a.txt', 'alpha ' * 1000)
        z.writestr('b.bin', bytes(range(256)) * 100)
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('big.txt', 'w', force_zip64=True) as w:
        w.write(b'zip64 ' * 50000)
    z.writestr('small.txt', 'tiny')
`,
      desc,
      z64,
    );
    const d = await contents(await openZipSource(desc));
    expect(Buffer.from(d['x/a.txt'] as string, 'base64').toString()).toBe('alpha '.repeat(1000));
    expect(Buffer.from(d['b.bin'] as string, 'base64').length).toBe(25600);
    const z = await openZipSource(z64);
    expect((await chunksOf(z, 'big.txt')).toString()).toBe('zip64 '.repeat(50000));
    expect(Object.keys(await contents(z))).toEqual(['big.txt', 'small.txt']);
  });

  it('detects the type from magic bytes, not the name', async () => {
    const zip = join(tmp.dir, 'really-a-zip.tgz');
    python("import sys,zipfile;zipfile.ZipFile(sys.argv[1],'w').writestr('a','b')", zip);
    expect((await openBundleSource(zip)).type).toBe('zip');
  });
});

/** Writes a zip with python; `script` gets `z` (a ZipFile in 'w' mode). */
function pyZip(path: string, script: string): void {
  python(`import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n${script}\nz.close()`, path);
}

describe('openZipSource on hostile or broken zips', () => {
  it('rejects zip-slip, absolute and backslash names', async () => {
    const cases: [string, string][] = [
      ['../../evil.sh', 'E_ZIP_SLIP'],
      ['/etc/cron.d/x', 'E_ABSOLUTE_PATH'],
      ['src\\index.js', 'E_BACKSLASH_PATH'],
    ];
    for (const [name, code] of cases) {
      const p = join(tmp.dir, `${code}.zip`);
      pyZip(p, `z.writestr(zipfile.ZipInfo(${JSON.stringify(name)}), 'x')`);
      const err = await rejectsWithCode(openZipSource(p), code);
      expect(err.message).toContain(p);
      expect(err.message).toContain(name);
    }
  });

  it('rejects a symlink that points outside the bundle', async () => {
    const p = join(tmp.dir, 'link.zip');
    pyZip(p, `i = zipfile.ZipInfo('lib/passwd')\ni.create_system = 3\ni.external_attr = (0o120777 << 16)\nz.writestr(i, '../../../etc/passwd')`);
    await rejectsWithCode(openZipSource(p), 'E_SYMLINK_ESCAPE');
  });

  it('rejects an entry that inflates past its declared size (forged header)', async () => {
    const p = join(tmp.dir, 'lie.zip');
    pyZip(p, `z.writestr('a.txt', 'A' * 100000)`);
    // Patch the declared uncompressed size (central directory) down to 1000 bytes.
    const buf = readFileSync(p);
    const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    buf.writeUInt32LE(1000, cd + 24);
    writeFileSync(p, buf);
    const src = await openZipSource(p);
    const e = (await src.entries())[0]!;
    await rejectsWithCode(src.readFile(e), 'E_ZIP_BOMB');
    await rejectsWithCode(chunksOf(src, 'a.txt'), 'E_ZIP_BOMB');
    await src.close();
  });

  it('rejects an entry over the ratio cap and archives over the total cap', async () => {
    const p = join(tmp.dir, 'ratio.zip');
    pyZip(p, `z.writestr('zeros.bin', bytes(30 * 1024 * 1024))`);
    const err = await rejectsWithCode(openZipSource(p), 'E_ZIP_BOMB');
    expect(err.message).toMatch(/1000:1/);
    const q = join(tmp.dir, 'total.zip');
    pyZip(q, `z.writestr('a.bin', bytes(500000))\nz.writestr('b.bin', bytes(600000))`);
    await rejectsWithCode(openZipSource(q, { limits: { maxTotalBytes: 1_000_000 } }), 'E_ZIP_BOMB');
    expect((await (await openZipSource(q)).entries()).length).toBe(2);
  });

  it('rejects entries that share compressed data (overlapping zip bomb)', async () => {
    const p = join(tmp.dir, 'overlap.zip');
    pyZip(p, `z.writestr('a.txt', 'A' * 5000)\nz.writestr('b.txt', 'B' * 5000)`);
    const buf = readFileSync(p);
    const second = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4);
    buf.writeUInt32LE(0, second + 42); // b.txt's local header offset := a.txt's
    writeFileSync(p, buf);
    await rejectsWithCode(openZipSource(p), 'E_ZIP_BOMB');
  });

  it('reports truncation: no end record, directory out of range, data past the end', async () => {
    const p = join(tmp.dir, 'cut.zip');
    pyZip(p, `z.writestr('a.bin', bytes(range(256)) * 4000)`);
    const size = statSync(p).size;
    const cut = join(tmp.dir, 'cut-half.zip');
    writeFileSync(cut, readFileSync(p).subarray(0, size >> 1));
    await rejectsWithCode(openZipSource(cut), 'E_TRUNCATED');
    const cd = join(tmp.dir, 'cd.zip');
    const b = readFileSync(p);
    const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    b.writeUInt32LE(size + 100, eocd + 16);
    writeFileSync(cd, b);
    await rejectsWithCode(openZipSource(cd), 'E_TRUNCATED');
    const gone = join(tmp.dir, 'data.zip');
    const c = readFileSync(p);
    const cdStart = c.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    c.writeUInt32LE(size * 2, cdStart + 20); // compressed size beyond the file
    writeFileSync(gone, c);
    await rejectsWithCode(openZipSource(gone), 'E_TRUNCATED');
  });

  it('rejects CRC mismatches, non-zips and encrypted entries', async () => {
    const p = join(tmp.dir, 'crc.zip');
    pyZip(p, `z.writestr(zipfile.ZipInfo('s.txt'), 'stored content here')`);
    const b = readFileSync(p);
    b[b.indexOf(Buffer.from('stored content'))] = 0x53;
    writeFileSync(p, b);
    const src = await openZipSource(p);
    await rejectsWithCode(src.readFile((await src.entries())[0]!), 'E_CORRUPT_ARCHIVE');
    const junk = join(tmp.dir, 'junk.zip');
    writeFileSync(junk, 'not a zip at all');
    await rejectsWithCode(openBundleSource(junk), 'E_CORRUPT_ARCHIVE');
    const empty = join(tmp.dir, 'empty.zip');
    writeFileSync(empty, '');
    truncateSync(empty, 0);
    await rejectsWithCode(openBundleSource(empty), 'E_CORRUPT_ARCHIVE');
    const enc = join(tmp.dir, 'enc.zip');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'secret');
    run('zip', ['-q', '-P', 'pw', enc, 'secret.txt'], tmp.dir);
    await rejectsWithCode(openZipSource(enc), 'E_ENCRYPTED');
  });
});
