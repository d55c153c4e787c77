import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { materializeBundle } from '../../../src/core/archive/materialize-bundle.js';
import { openBundleSource } from '../../../src/core/archive/open-bundle-source.js';
import { listDir, makeTempDir, python, rejectsWithCode, run } from './test-helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = makeTempDir('lf-materialize-')));
afterEach(() => tmp.cleanup());

function makeTree(root: string): void {
  mkdirSync(join(root, 'lib/empty'), { recursive: true });
  writeFileSync(join(root, 'index.js'), 'exports.handler = 1;');
  writeFileSync(join(root, 'bootstrap'), '#!/bin/sh\n');
  chmodSync(join(root, 'bootstrap'), 0o755);
  writeFileSync(join(root, 'lib/private.txt'), 'secret');
  chmodSync(join(root, 'lib/private.txt'), 0o600);
  writeFileSync(join(root, 'lib/big.bin'), Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, (_, i) => (i * 7919) % 251)));
  symlinkSync('../index.js', join(root, 'lib/link.js'));
}

describe('materializeBundle', () => {
  it('extracts a folder, a zip and a tar.gz to identical trees with modes and symlinks kept', async () => {
    const src = join(tmp.dir, 'src');
    makeTree(src);
    const zip = join(tmp.dir, 'b.zip');
    const tgz = join(tmp.dir, 'b.tgz');
    run('zip', ['-r', '-y', '-q', zip, '.'], src);
    run('tar', ['-czf', tgz, '-C', src, '.']);
    for (const input of [src, zip, tgz]) {
      const dest = join(tmp.dir, `out-${input.split('.').pop()}`);
      const r = await materializeBundle(await openBundleSource(input), dest);
      expect(r).toMatchObject({ files: 4, symlinks: 1, bytes: 20 + 10 + 6 + 2 * 1024 * 1024 });
      expect(run('diff', ['-r', '--no-dereference', src, dest])).toBe('');
      expect(lstatSync(join(dest, 'bootstrap')).mode & 0o777).toBe(0o755);
      expect(lstatSync(join(dest, 'lib/private.txt')).mode & 0o777).toBe(0o600);
      expect(readlinkSync(join(dest, 'lib/link.js'))).toBe('../index.js');
      expect(lstatSync(join(dest, 'lib/empty')).isDirectory()).toBe(true);
    }
  });

  it('keeps only the filtered entries (and the tar hard-link targets they need)', async () => {
    const src = join(tmp.dir, 'src');
    makeTree(src);
    const dest = join(tmp.dir, 'out');
    await materializeBundle(await openBundleSource(src), dest, { filter: (e) => !e.path.endsWith('.bin') && e.path !== 'lib/empty' });
    expect(listDir(join(dest, 'lib'))).toEqual(['link.js', 'private.txt']);
    const tgz = join(tmp.dir, 'h.tgz');
    python("import sys,tarfile,io\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('a.txt'); i.size=5; t.addfile(i, io.BytesIO(b'hello'))\nh=tarfile.TarInfo('b.txt'); h.type=tarfile.LNKTYPE; h.linkname='a.txt'; t.addfile(h)\nt.close()", tgz);
    const dest2 = join(tmp.dir, 'out2');
    await materializeBundle(await openBundleSource(tgz), dest2, { filter: (e) => e.path === 'b.txt' });
    expect(listDir(dest2)).toEqual(['b.txt']);
    expect(readFileSync(join(dest2, 'b.txt'), 'utf8')).toBe('hello');
  });

  it('writes nothing at all when the archive turns out hostile', async () => {
    const cases = [
      ["i = tarfile.TarInfo('dev'); i.type = tarfile.CHRTYPE; t.addfile(i)", 'E_DEVICE_FILE'],
      ["i = tarfile.TarInfo('l'); i.type = tarfile.SYMTYPE; i.linkname = '/etc'; t.addfile(i)", 'E_SYMLINK_ESCAPE'],
    ];
    for (const [script, code] of cases) {
      const p = join(tmp.dir, `${code}.tgz`);
      python(`import sys,tarfile,io\nt=tarfile.open(sys.argv[1],'w:gz')\ni0=tarfile.TarInfo('first.txt'); i0.size=2; t.addfile(i0, io.BytesIO(b'ok'))\n${script}\nt.close()`, p);
      const before = listDir(tmp.dir);
      await rejectsWithCode(materializeBundle(await openBundleSource(p), join(tmp.dir, 'dest')), code as string);
      expect(listDir(tmp.dir)).toEqual(before);
    }
    const bomb = join(tmp.dir, 'lie.zip');
    python("import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nz.writestr('a.txt','ok')\nz.writestr('b.txt','B'*100000)\nz.close()", bomb);
    const b = readFileSync(bomb);
    const cd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    b.writeUInt32LE(10, cd + 24);
    writeFileSync(bomb, b);
    const before = listDir(tmp.dir);
    await rejectsWithCode(materializeBundle(await openBundleSource(bomb), join(tmp.dir, 'dest')), 'E_ZIP_BOMB');
    expect(listDir(tmp.dir)).toEqual(before);
  });

  it('refuses a non-empty destination', async () => {
    const src = join(tmp.dir, 'src');
    makeTree(src);
    const dest = join(tmp.dir, 'dest');
    mkdirSync(dest);
    writeFileSync(join(dest, 'keep.txt'), 'mine');
    await rejectsWithCode(materializeBundle(await openBundleSource(src), dest), 'E_DEST_NOT_EMPTY');
    expect(listDir(dest)).toEqual(['keep.txt']);
  });
});

describe('materializeBundle on hostile zips', () => {
  it('fails before writing anything: zip-slip, absolute path, escaping symlink, truncated zip', async () => {
    const cases: [string, string][] = [
      ["z.writestr('ok.txt', 'ok')\nz.writestr(zipfile.ZipInfo('../../evil.sh'), 'x')", 'E_ZIP_SLIP'],
      ["z.writestr('ok.txt', 'ok')\nz.writestr(zipfile.ZipInfo('/etc/cron.d/evil'), 'x')", 'E_ABSOLUTE_PATH'],
      ["z.writestr('ok.txt', 'ok')\ni = zipfile.ZipInfo('l')\ni.create_system = 3\ni.external_attr = 0o120777 << 16\nz.writestr(i, '/etc')", 'E_SYMLINK_ESCAPE'],
    ];
    for (const [script, code] of cases) {
      const p = join(tmp.dir, `${code}.zip`);
      python(`import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w')\n${script}\nz.close()`, p);
      const before = listDir(tmp.dir);
      await rejectsWithCode(openBundleSource(p).then((s) => materializeBundle(s, join(tmp.dir, 'dest'))), code);
      expect(listDir(tmp.dir)).toEqual(before);
    }
    const whole = join(tmp.dir, 'E_ZIP_SLIP.zip');
    const cut = join(tmp.dir, 'cut.zip');
    writeFileSync(cut, readFileSync(whole).subarray(0, 60));
    const before = listDir(tmp.dir);
    await rejectsWithCode(openBundleSource(cut).then((s) => materializeBundle(s, join(tmp.dir, 'dest'))), 'E_TRUNCATED');
    expect(listDir(tmp.dir)).toEqual(before);
  });
});
