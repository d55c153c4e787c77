import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideVerdict, type CheckItem } from '../../../src/core/check/check-report.js';
import { readCachedVerification, verificationCacheKey, writeCachedVerification, type VerificationKeyParts } from '../../../src/core/check/verification-cache.js';

const item = (category: CheckItem['category'], status: CheckItem['status']): CheckItem => ({ id: category, name: category, category, status, message: '' });

describe('decideVerdict', () => {
  it('maps checks to DESIGN §3 exit codes; a failed verification wins over a missed limit', () => {
    expect(decideVerdict([item('limit', 'pass'), item('budget', 'skip')])).toEqual({ verdict: 'fits', exitCode: 0 });
    expect(decideVerdict([item('limit', 'fail'), item('verification', 'pass')])).toEqual({ verdict: 'does-not-fit', exitCode: 1 });
    expect(decideVerdict([item('budget', 'fail')])).toEqual({ verdict: 'does-not-fit', exitCode: 1 });
    expect(decideVerdict([item('limit', 'fail'), item('verification', 'fail')])).toEqual({ verdict: 'verification-failed', exitCode: 3 });
    expect(decideVerdict([item('plan', 'fail')])).toEqual({ verdict: 'verification-failed', exitCode: 3 });
  });
});

describe('verification cache', () => {
  const parts: VerificationKeyParts = {
    version: '0.1.0',
    sandboxMode: 'kernel',
    treeHash: 'a'.repeat(64),
    layerHashes: [],
    planHash: null,
    removedHash: 'b'.repeat(64),
    function: { runtime: 'nodejs20.x', memorySize: 512, environment: { B: '2', A: '1' } },
    events: ['c'.repeat(64)],
    compare: { numericTolerance: 0, ignore: [] },
  };

  it('keys by content: key order does not matter, every part does', () => {
    const key = verificationCacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(verificationCacheKey({ ...parts, function: { environment: { A: '1', B: '2' }, memorySize: 512, runtime: 'nodejs20.x' } })).toBe(key);
    expect(verificationCacheKey({ ...parts, sandboxMode: 'portable' })).not.toBe(key);
    expect(verificationCacheKey({ ...parts, version: '0.1.1' })).not.toBe(key);
    expect(verificationCacheKey({ ...parts, events: ['d'.repeat(64)] })).not.toBe(key);
    expect(verificationCacheKey({ ...parts, function: { ...parts.function, memorySize: 1024 } })).not.toBe(key);
  });

  it('round-trips an entry atomically and treats a corrupt one as a miss', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lf-vcache-'));
    try {
      const key = verificationCacheKey(parts);
      expect(await readCachedVerification(dir, key)).toBeUndefined();
      const measurement = { passed: true, initDurationMs: 12, coldDurationMs: 3, warmDurationMs: 1, maxMemoryUsedMB: 40, invocations: 2, mismatches: [] };
      await writeCachedVerification(dir, { key, measuredAt: '2026-01-01T00:00:00.000Z', isolation: 'kernel', events: ['e.json'], comparedWithGolden: false, measurement });
      expect(await readCachedVerification(dir, key)).toMatchObject({ key, measurement });
      expect(await readdir(join(dir, 'check'))).toEqual([`${key}.json`]);
      await writeFile(join(dir, 'check', `${key}.json`), '{"format":1,');
      expect(await readCachedVerification(dir, key)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
