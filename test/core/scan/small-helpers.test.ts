import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/core/progress.js';
import { findDuplicates } from '../../../src/core/scan/find-duplicates.js';
import { ProgressThrottle } from '../../../src/core/scan/progress-throttle.js';
import { defaultCacheDir } from '../../../src/core/scan/default-cache-dir.js';

describe('findDuplicates', () => {
  it('groups equal non-empty content across code and layers, biggest waste first', () => {
    const f = (path: string, hash: string, bytes: number) => ({ path, hash, bytes, kind: 'other' as const, mode: 0o644 });
    const groups = findDuplicates([
      { prefix: '', files: [f('a', 'h1', 10), f('b', 'h1', 10), f('c', 'h2', 1000), f('e', 'h0', 0), f('e2', 'h0', 0)] },
      { prefix: '/opt/', files: [f('c', 'h2', 1000), f('d', 'h3', 5)] },
    ]);
    expect(groups).toEqual([
      { hash: 'h2', bytes: 1000, paths: ['/opt/c', 'c'] },
      { hash: 'h1', bytes: 10, paths: ['a', 'b'] },
    ]);
  });
});

describe('ProgressThrottle', () => {
  it('forwards at most one event per type per interval and flushes the last one', () => {
    let now = 0;
    const seen: ProgressEvent[] = [];
    const t = new ProgressThrottle((e) => seen.push(e), 100, () => now);
    for (let i = 1; i <= 1000; i++) {
      now = i;
      t.emit({ type: 'scan:walk', files: i, bytes: i });
    }
    t.flush();
    expect(seen.length).toBeLessThanOrEqual(12);
    expect(seen.at(-1)).toEqual({ type: 'scan:walk', files: 1000, bytes: 1000 });
  });
});

describe('defaultCacheDir', () => {
  it('prefers LAMBDAFIT_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ LAMBDAFIT_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/lambdafit');
    expect(defaultCacheDir({}, '/home/u')).toBe('/home/u/.cache/lambdafit');
  });
});
