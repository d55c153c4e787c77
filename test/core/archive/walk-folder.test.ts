import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkFolder } from '../../../src/core/archive/walk-folder.js';
import { makeTempDir } from './test-helpers.js';

const tmp = makeTempDir('lf-walk-');
afterAll(() => tmp.cleanup());

/** A tree with enough directories that the walk hands batches to its helper thread. */
function bigTree(root: string, dirs: number): void {
  for (let i = 0; i < dirs; i++) {
    const d = join(root, 'node_modules', `pkg-${i}`, 'lib', i % 3 === 0 ? 'deep/er' : 'flat');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'index.js'), `module.exports = ${i};\n`);
    writeFileSync(join(root, 'node_modules', `pkg-${i}`, 'package.json'), JSON.stringify({ name: `pkg-${i}` }));
  }
  if (dirs > 150) symlinkSync('../pkg-1/lib', join(root, 'node_modules', 'pkg-150', 'link'));
}

/** What find reports of a tree, one line per entry, in the shape `listing` gives. */
function findListing(root: string): string[] {
  return execFileSync('find', ['.', '-mindepth', '1', '-printf', '%y %P %s -> %l\n'], { cwd: root, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => {
      const [type, path, size, , link] = l.split(' ');
      const t = type === 'd' ? 'd' : type === 'l' ? 's' : 'f';
      return `${t} ${path} ${t === 'f' ? size : 0}${t === 's' ? ` -> ${link}` : ''}`;
    })
    .sort();
}

function listing(entries: Awaited<ReturnType<typeof walkFolder>>): string[] {
  return entries.map((e) => `${e.type[0]} ${e.path} ${e.type === 'file' ? e.size : 0}${e.linkTarget ? ` -> ${e.linkTarget}` : ''}`).sort();
}

describe('walkFolder', () => {
  it('lists every entry of a big tree exactly once, with the same facts find reports', async () => {
    const root = join(tmp.dir, 'big');
    bigTree(root, 300);
    const entries = await walkFolder(root);
    expect(listing(entries)).toEqual(findListing(root));
    expect(new Set(entries.map((e) => e.path)).size).toBe(entries.length);
    const file = entries.find((e) => e.path === 'node_modules/pkg-7/package.json');
    expect(file).toMatchObject({ type: 'file', mode: 0o644 });
    expect(file?.ino).toBeGreaterThan(0);
  });

  it('shares out a folder of thousands of files and still lists each once', async () => {
    // Big folders are split into chunks of names that either thread may lstat (an icon set of
    // 20,000 files must not keep one thread busy while the other waits).
    const root = join(tmp.dir, 'wide');
    bigTree(root, 120);
    const icons = join(root, 'node_modules', 'icons', 'esm');
    mkdirSync(icons, { recursive: true });
    for (let i = 0; i < 2600; i++) writeFileSync(join(icons, `Icon${i}.js`), 'x'.repeat(i % 97));
    mkdirSync(join(icons, 'nested'));
    writeFileSync(join(icons, 'nested', 'deep.js'), 'deep');
    for (let i = 0; i < 700; i++) writeFileSync(join(root, `top-${i}.txt`), String(i));
    const entries = await walkFolder(root);
    expect(listing(entries)).toEqual(findListing(root));
    expect(new Set(entries.map((e) => e.path)).size).toBe(entries.length);
  });

  it('gives the same clear error for a FIFO deep in a big tree as for one at the top', async () => {
    const root = join(tmp.dir, 'fifo');
    bigTree(root, 300);
    const fifo = join(root, 'node_modules', 'pkg-298', 'lib', 'flat', 'pipe');
    execFileSync('mkfifo', [fifo]);
    await expect(walkFolder(root)).rejects.toMatchObject({ code: 'E_DEVICE_FILE', message: expect.stringContaining(fifo) });
    // The helper thread is free again: the next walk of a good tree works.
    const ok = join(tmp.dir, 'after');
    bigTree(ok, 120);
    expect((await walkFolder(ok)).filter((e) => e.type === 'file')).toHaveLength(240);
  });

  it('names a backslash in a file name the way archives are refused', async () => {
    const root = join(tmp.dir, 'backslash');
    bigTree(root, 200);
    writeFileSync(join(root, 'node_modules', 'pkg-181', 'lib', 'flat', 'a\\b.js'), '');
    await expect(walkFolder(root)).rejects.toMatchObject({ code: 'E_BACKSLASH_PATH' });
  });
});
