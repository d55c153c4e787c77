import { mkdir, mkdtemp, readFile, rm, stat, writeFile, symlink, readlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStagingArea } from '../../../src/core/fit/staging-area.js';

describe('createStagingArea', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lambdafit-staging-test-'));
    await mkdir(join(dir, 'input/lib'), { recursive: true });
    await mkdir(join(dir, 'input/empty'), { recursive: true });
    await writeFile(join(dir, 'input/index.js'), 'index');
    await writeFile(join(dir, 'input/lib/a.js'), 'a');
    await writeFile(join(dir, 'input/lib/b.js'), 'b');
    await symlink('lib/a.js', join(dir, 'input/link.js'));
    await writeFile(join(dir, 'model.q'), 'quantized');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files = [{ path: 'index.js' }, { path: 'lib/a.js' }, { path: 'lib/b.js' }, { path: 'link.js', symlinkTarget: 'lib/a.js' }];

  it('builds views as hard links of a private copy, with removals and replacements', async () => {
    const staging = await createStagingArea(join(dir, 'input'), files, ['empty']);
    try {
      const view = await staging.buildView({ removed: new Set(['lib/b.js']), replaced: new Map([['index.js', join(dir, 'model.q')]]) });
      expect((await readdir(join(view, 'lib'))).sort()).toEqual(['a.js']);
      expect(await readFile(join(view, 'index.js'), 'utf8')).toBe('quantized');
      expect(await readlink(join(view, 'link.js'))).toBe('lib/a.js');
      expect((await stat(join(view, 'empty'))).isDirectory()).toBe(true);
      // A link into the baseline copy, not into the input: same inode as the staging copy.
      expect((await stat(join(view, 'lib/a.js'))).ino).toBe((await stat(join(staging.baselineDir, 'lib/a.js'))).ino);
      expect((await stat(join(view, 'lib/a.js'))).ino).not.toBe((await stat(join(dir, 'input/lib/a.js'))).ino);
      await staging.removeView(view);
      await expect(stat(view)).rejects.toThrow();
      expect(await readFile(join(staging.baselineDir, 'lib/b.js'), 'utf8')).toBe('b');
    } finally {
      await staging.dispose();
    }
    await expect(stat(staging.baselineDir)).rejects.toThrow();
    expect(await readFile(join(dir, 'input/lib/b.js'), 'utf8')).toBe('b');
  });
});
