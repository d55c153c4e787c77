import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFolderSource } from '../../../src/core/archive/open-folder-source.js';
import { makeTempDir, rejectsWithCode } from './test-helpers.js';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => (tmp = makeTempDir('lf-folder-')));
afterEach(() => tmp.cleanup());

describe('openFolderSource', () => {
  it('walks without following symlinks and reads files whole, by chunks and by range', async () => {
    const root = join(tmp.dir, 'b');
    mkdirSync(join(root, 'lib'), { recursive: true });
    mkdirSync(join(tmp.dir, 'outside'));
    writeFileSync(join(tmp.dir, 'outside/secret'), 'no');
    writeFileSync(join(root, 'lib/a.js'), 'module.exports = 1;');
    symlinkSync('lib', join(root, 'libdir'));
    const src = await openFolderSource(root);
    const entries = await src.entries();
    expect(entries.map((e) => `${e.path}:${e.type}`)).toEqual(['lib:dir', 'lib/a.js:file', 'libdir:symlink']);
    const a = entries[1]!;
    expect((await src.readFile(a)).toString()).toBe('module.exports = 1;');
    expect((await src.readRange(a, 7, 7)).toString()).toBe('exports');
    const parts: Buffer[] = [];
    for await (const c of src.readChunks(a)) parts.push(c);
    expect(Buffer.concat(parts).toString()).toBe('module.exports = 1;');
  });

  it('rejects a symlink escaping the folder, a FIFO and a backslash file name', async () => {
    const a = join(tmp.dir, 'a');
    mkdirSync(a);
    symlinkSync('../../etc/passwd', join(a, 'pw'));
    await rejectsWithCode((await openFolderSource(a)).entries(), 'E_SYMLINK_ESCAPE');
    const b = join(tmp.dir, 'b');
    mkdirSync(b);
    execFileSync('mkfifo', [join(b, 'pipe')]);
    await rejectsWithCode((await openFolderSource(b)).entries(), 'E_DEVICE_FILE');
    const c = join(tmp.dir, 'c');
    mkdirSync(c);
    writeFileSync(join(c, 'src\\index.js'), '');
    await rejectsWithCode((await openFolderSource(c)).entries(), 'E_BACKSLASH_PATH');
    await rejectsWithCode(openFolderSource(join(tmp.dir, 'missing')), 'E_INPUT_UNREADABLE');
  });
});
