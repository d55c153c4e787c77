import { linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleSource, SourceEntry } from '../../../src/core/archive/bundle-source.js';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { openTarGzSource } from '../../../src/core/archive/open-tar-gz-source.js';
import { makeTempDir, python, rejectsWithCode, run } from './test-helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = makeTempDir('lf-tar-')));
afterEach(() => tmp.cleanup());

async function visitAll(src: BundleSource, concurrency = 4): Promise<Map<string, { entry: SourceEntry; data?: Buffer }>> {
  const seen = new Map<string, { entry: SourceEntry; data?: Buffer }>();
  await src.visit(
    async (entry, content) => {
      if (!content) return void seen.set(entry.path, { entry });
      // Read big entries as chunks, small ones whole: both paths are exercised.
      if (entry.size > 1024 * 1024) {
        const parts: Buffer[] = [];
        for await (const c of content.chunks()) parts.push(c);
        seen.set(entry.path, { entry, data: Buffer.concat(parts) });
      } else seen.set(entry.path, { entry, data: await content.readAll() });
    },
    { concurrency },
  );
  return seen;
}

describe('openTarGzSource', () => {
  it('reads `tar czf` output in one pass: files, dirs, symlinks, hard links, long names, big files', async () => {
    const tree = join(tmp.dir, 'tree');
    const long = 'd'.repeat(120) + '/' + 'f'.repeat(130) + '.txt';
    mkdirSync(join(tree, 'd'.repeat(120)), { recursive: true });
    writeFileSync(join(tree, long), 'long name');
    writeFileSync(join(tree, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 9));
    writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    symlinkSync('run.sh', join(tree, 'link'));
    linkSync(join(tree, 'run.sh'), join(tree, 'hard.sh'));
    for (const format of ['gnu', 'pax']) {
      const tgz = join(tmp.dir, `${format}.tgz`);
      run('tar', [`--format=${format}`, '-czf', tgz, '-C', tree, '.']);
      const src = await openBundleSource(tgz);
      expect(src.type).toBe('tar.gz');
      const seen = await visitAll(src);
      expect(seen.get(long)?.data?.toString()).toBe('long name');
      expect(seen.get('big.bin')?.data?.length).toBe(3 * 1024 * 1024);
      expect(seen.get('link')?.entry).toMatchObject({ type: 'symlink', linkTarget: 'run.sh' });
      expect(seen.get('run.sh')?.entry.mode).toBe(0o755);
      const hard = [seen.get('hard.sh'), seen.get('run.sh')].find((x) => x?.entry.hardlinkTo !== undefined);
      expect(hard?.entry.size).toBe(10);
      const listed = await src.entries();
      expect(listed.map((e) => e.path)).toEqual([...listed.map((e) => e.path)].sort());
      expect(listed.length).toBe(seen.size);
    }
  });

  it('rejects device files, FIFOs, absolute paths, zip-slip and escaping symlinks', async () => {
    const cases: [string, string][] = [
      ["i = tarfile.TarInfo('dev/null'); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3; t.addfile(i)", 'E_DEVICE_FILE'],
      ["i = tarfile.TarInfo('pipe'); i.type = tarfile.FIFOTYPE; t.addfile(i)", 'E_DEVICE_FILE'],
      ["i = tarfile.TarInfo('/etc/passwd'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))", 'E_ABSOLUTE_PATH'],
      ["i = tarfile.TarInfo('../../x'); i.size = 1; t.addfile(i, io.BytesIO(b'x'))", 'E_ZIP_SLIP'],
      ["i = tarfile.TarInfo('lnk'); i.type = tarfile.SYMTYPE; i.linkname = '../../etc'; t.addfile(i)", 'E_SYMLINK_ESCAPE'],
    ];
    for (const [script, code] of cases) {
      const p = join(tmp.dir, `${code}-${cases.findIndex((c) => c[0] === script)}.tgz`);
      python(`import sys, tarfile, io\nt = tarfile.open(sys.argv[1], 'w:gz')\ni0 = tarfile.TarInfo('ok.txt'); i0.size = 2; t.addfile(i0, io.BytesIO(b'ok'))\n${script}\nt.close()`, p);
      const src = await openTarGzSource(p);
      const err = await rejectsWithCode(src.entries(), code);
      expect(err.message).toContain(p);
      await rejectsWithCode(visitAll(src), code);
    }
  });

  it('reports a truncated gzip stream and a tar cut in the middle of an entry', async () => {
    const tree = join(tmp.dir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'a.bin'), Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7919) % 251)));
    const tgz = join(tmp.dir, 'a.tgz');
    run('tar', ['-czf', tgz, '-C', tree, '.']);
    const cut = join(tmp.dir, 'cut.tgz');
    const bytes = readFileSync(tgz);
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    await rejectsWithCode((await openTarGzSource(cut)).entries(), 'E_TRUNCATED');
    // A complete gzip stream whose tar content ends inside the file data.
    const tarCut = join(tmp.dir, 'tarcut.tgz');
    python('import sys,gzip,tarfile,io\nraw=gzip.open(sys.argv[1]).read()\nopen(sys.argv[2],"wb").write(gzip.compress(raw[:200000]))', tgz, tarCut);
    await rejectsWithCode((await openTarGzSource(tarCut)).entries(), 'E_TRUNCATED');
  });

  it('caps decompressed bytes and refuses non-gzip files', async () => {
    const p = join(tmp.dir, 'bomb.tgz');
    python("import sys,tarfile,io\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('zeros'); i.size=5_000_000; t.addfile(i, io.BytesIO(bytes(5_000_000)))\nt.close()", p);
    await rejectsWithCode((await openTarGzSource(p, { limits: { maxTotalBytes: 1_000_000 } })).entries(), 'E_ZIP_BOMB');
    const plain = join(tmp.dir, 'plain.tgz');
    writeFileSync(plain, 'hello');
    await rejectsWithCode(openTarGzSource(plain), 'E_CORRUPT_ARCHIVE');
  });
});
