import { describe, expect, it } from 'vitest';
import { hashFileTree } from '../../../src/core/plan/hash-file-tree.js';

describe('hashFileTree', () => {
  const a = { path: 'a.js', hash: '1'.repeat(64) };
  const b = { path: 'b/c.js', hash: '2'.repeat(64) };
  it('does not depend on order', () => {
    expect(hashFileTree([a, b])).toBe(hashFileTree([b, a]));
    expect(hashFileTree([a, b])).toMatch(/^[0-9a-f]{64}$/);
  });
  it('changes with content, names and symlink targets', () => {
    const base = hashFileTree([a, b]);
    expect(hashFileTree([a, { ...b, hash: '3'.repeat(64) }])).not.toBe(base);
    expect(hashFileTree([a, { ...b, path: 'b/d.js' }])).not.toBe(base);
    expect(hashFileTree([a, { path: 'l', symlinkTarget: 'a.js' }])).not.toBe(hashFileTree([a, { path: 'l', symlinkTarget: 'b.js' }]));
  });
});
