import { describe, expect, it } from 'vitest';
import type { SourceEntry } from '../../../src/core/archive/bundle-source.js';
import { resolveSymlink, validateTree } from '../../../src/core/archive/validate-tree.js';

const file = (path: string): SourceEntry => ({ path, type: 'file', size: 1, mode: 0o644 });
const dir = (path: string): SourceEntry => ({ path, type: 'dir', size: 0, mode: 0o755 });
const link = (path: string, linkTarget: string): SourceEntry => ({ path, type: 'symlink', size: 0, mode: 0o777, linkTarget });

function codeOf(entries: SourceEntry[]): string | undefined {
  try {
    validateTree('t.zip', entries);
    return undefined;
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('resolveSymlink', () => {
  it('follows links through other links like the kernel would', () => {
    const links = new Map([
      ['a', '.'],
      ['c', 'a/..'],
      ['x/up', '../y'],
      ['abs', '/etc/passwd'],
      ['loop1', 'loop2'],
      ['loop2', 'loop1'],
    ]);
    expect(resolveSymlink('x/up', links)).toEqual({ status: 'inside', path: 'y' });
    expect(resolveSymlink('a', links)).toEqual({ status: 'inside', path: '' });
    // Lexically "a/.." is the root, but a -> . so a/.. is the root's parent.
    expect(resolveSymlink('c', links)).toEqual({ status: 'escapes' });
    expect(resolveSymlink('abs', links)).toEqual({ status: 'escapes' });
    expect(resolveSymlink('loop1', links)).toEqual({ status: 'loop' });
  });
});

describe('validateTree', () => {
  it('sorts entries and accepts in-tree symlinks, warning about dangling ones', () => {
    const r = validateTree('t.zip', [file('b/x.js'), link('a', 'b/x.js'), link('d', 'missing'), dir('b')]);
    expect(r.entries.map((e) => e.path)).toEqual(['a', 'b', 'b/x.js', 'd']);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/dangling/);
  });

  it('does not call a link to an implied directory dangling', () => {
    expect(validateTree('t.zip', [file('lib/a.js'), link('l', 'lib')]).warnings).toEqual([]);
  });

  it('rejects escapes, duplicates, entries under files or links, and hard links to nothing', () => {
    expect(codeOf([link('up', '../../x')])).toBe('E_SYMLINK_ESCAPE');
    expect(codeOf([link('a', '.'), link('c', 'a/..')])).toBe('E_SYMLINK_ESCAPE');
    expect(codeOf([file('a'), file('a')])).toBe('E_DUPLICATE_ENTRY');
    expect(codeOf([dir('a'), dir('a'), file('a/b')])).toBeUndefined();
    expect(codeOf([link('etc', 'lib'), dir('lib'), file('etc/passwd')])).toBe('E_PATH_CONFLICT');
    expect(codeOf([file('a'), file('a/b')])).toBe('E_PATH_CONFLICT');
    expect(codeOf([{ ...file('h'), hardlinkTo: 'nope' }])).toBe('E_CORRUPT_ARCHIVE');
  });
});
