import { describe, expect, it } from 'vitest';
import { bisectRemoval } from '../../../src/core/fit/bisect-removal.js';

const files = Array.from({ length: 64 }, (_, i) => `node_modules/pkg/f${String(i).padStart(2, '0')}.js`);

/** A fake function that breaks when any needed file is removed. */
function needs(...needed: string[]) {
  const calls: string[][] = [];
  const passes = async (removed: readonly string[]) => {
    calls.push([...removed]);
    return !removed.some((f) => needed.includes(f));
  };
  return { passes, calls };
}

describe('bisectRemoval', () => {
  it('keeps exactly the needed files and removes the rest', async () => {
    const { passes } = needs(files[3]!, files[40]!);
    const result = await bisectRemoval(files, passes);
    expect(result.keep).toEqual([files[3], files[40]]);
    expect(result.removable).toHaveLength(62);
    expect(result.removable).not.toContain(files[3]);
    // O(k log n): two needed files among 64 need far fewer than 64 verifications.
    expect(result.tests).toBeLessThan(30);
  });

  it('settles in two verifications when the trace hint names the needed files', async () => {
    const { passes } = needs(files[7]!);
    const result = await bisectRemoval(files, passes, { likelyNeeded: new Set([files[7]!]) });
    expect(result.keep).toEqual([files[7]]);
    expect(result.tests).toBe(2); // unseen files pass at once; the one seen file fails alone
  });

  it('tests interactions against the accumulated removals', async () => {
    // Either copy suffices, but not neither: removing both must not be accepted.
    const a = files[10]!;
    const b = files[50]!;
    const passes = async (removed: readonly string[]) => !(removed.includes(a) && removed.includes(b));
    const result = await bisectRemoval(files, passes);
    expect(result.keep.length).toBe(1);
    expect(await passes(result.removable)).toBe(true);
  });

  it('accepts the whole step when nothing is needed', async () => {
    const { passes, calls } = needs();
    const result = await bisectRemoval(files, passes);
    expect(result.removable).toHaveLength(64);
    expect(calls).toHaveLength(1);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(bisectRemoval(files, async () => true, { signal: controller.signal })).rejects.toThrow('Cancelled');
  });
});

describe('bisectRemoval with knownToFail', () => {
  it('skips re-verifying the whole step it was called for', async () => {
    const files = ['a', 'b', 'c', 'd'];
    const calls: string[][] = [];
    const result = await bisectRemoval(files, async (removed) => {
      calls.push([...removed]);
      return !removed.includes('c');
    }, { knownToFail: true });
    expect(result.keep).toEqual(['c']);
    expect(result.removable).toEqual(['a', 'b', 'd']);
    expect(calls[0]).toEqual(['a', 'b']);
    expect(calls).toHaveLength(4); // one fewer than without the flag
  });
});

describe('bisectRemoval with trustHint', () => {
  it('keeps the traced files untested and settles in one verification', async () => {
    const files = ['a', 'b', 'c', 'd', 'e'];
    let tests = 0;
    const result = await bisectRemoval(files, async (removed) => {
      tests++;
      return !removed.includes('c');
    }, { likelyNeeded: new Set(['c', 'd']), trustHint: true, knownToFail: true });
    expect(result).toEqual({ removable: ['a', 'b', 'e'], keep: ['c', 'd'], tests: 1 });
    expect(tests).toBe(1);
  });
});
