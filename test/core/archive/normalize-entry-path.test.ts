import { describe, expect, it } from 'vitest';
import { normalizeEntryPath } from '../../../src/core/archive/normalize-entry-path.js';

function codeOf(raw: string): string | undefined {
  try {
    normalizeEntryPath('b.zip', raw);
    return undefined;
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('normalizeEntryPath', () => {
  it('normalises ./, duplicate slashes and trailing slashes', () => {
    expect(normalizeEntryPath('b.zip', './a//b/./c/')).toBe('a/b/c');
    expect(normalizeEntryPath('b.zip', './')).toBe('');
  });

  it('rejects .. segments, absolute, drive-letter and UNC paths, backslashes and NUL', () => {
    expect(codeOf('../../etc/passwd')).toBe('E_ZIP_SLIP');
    expect(codeOf('a/../../b')).toBe('E_ZIP_SLIP');
    expect(codeOf('/etc/passwd')).toBe('E_ABSOLUTE_PATH');
    expect(codeOf('C:\\Windows\\x.dll')).toBe('E_ABSOLUTE_PATH');
    expect(codeOf('C:/x')).toBe('E_ABSOLUTE_PATH');
    expect(codeOf('\\\\server\\share')).toBe('E_ABSOLUTE_PATH');
    expect(codeOf('src\\index.js')).toBe('E_BACKSLASH_PATH');
    expect(codeOf('a\0b')).toBe('E_CORRUPT_ARCHIVE');
    expect(codeOf('a..b/c..')).toBeUndefined();
  });

  it('names the archive, the entry and the fix in one sentence', () => {
    try {
      normalizeEntryPath('/x/bundle.zip', 'src\\index.js');
    } catch (err) {
      const m = (err as Error).message;
      expect(m).toContain('/x/bundle.zip');
      expect(m).toContain('src\\index.js');
      expect(m).toMatch(/literal file name/);
      expect(m).toMatch(/forward slashes/);
    }
  });
});
