import { describe, expect, it } from 'vitest';
import { failedChecks, fitsTarget } from '../../../src/core/limits/fits-target.js';
import { measureLimits, type LimitCheck, type MeasureLimitsInput } from '../../../src/core/limits/measure-limits.js';

const small = { unzippedBytes: 10_000_000, zippedBytes: 4_000_000 };

function check(checks: LimitCheck[], id: LimitCheck['id']): LimitCheck {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check`);
  return found;
}

function measure(input: Partial<MeasureLimitsInput>): LimitCheck[] {
  return measureLimits({ code: small, target: 'zip-direct', ...input });
}

describe('measureLimits: package sizes', () => {
  it('passes a small bundle on every target and reports headroom in bytes', () => {
    const checks = measure({});
    expect(fitsTarget(checks)).toBe(true);
    const unzipped = check(checks, 'unzipped-size');
    expect(unzipped).toMatchObject({ limitBytes: 262_144_000, usedBytes: 10_000_000, headroom: 252_144_000, fits: true, applies: true });
    expect(unzipped.message).toBeUndefined();
    expect(check(checks, 'zipped-size')).toMatchObject({ limitBytes: 52_428_800, usedBytes: 4_000_000, fits: true });
  });

  it('treats "must be smaller than" limits as strict: exactly the limit does not fit', () => {
    const atLimit = measure({ code: { unzippedBytes: 262_144_000, zippedBytes: 52_428_800 } });
    expect(check(atLimit, 'unzipped-size')).toMatchObject({ fits: false, headroom: 0, comparison: 'lt' });
    expect(check(atLimit, 'unzipped-size').message).toBe('Unzipped size must be smaller than 262144000 bytes');
    expect(check(atLimit, 'zipped-size').message).toBe('Zipped size must be smaller than 52428800 bytes');
    const justUnder = measure({ code: { unzippedBytes: 262_143_999, zippedBytes: 52_428_799 } });
    expect(check(justUnder, 'unzipped-size').fits).toBe(true);
    expect(check(justUnder, 'zipped-size').fits).toBe(true);
  });

  it('quotes the budget left after the layers, as AWS does', () => {
    // 262,144,000 − 6,969,053 = 255,174,947: the number in AWS's message with layers attached.
    const checks = measure({ code: { unzippedBytes: 255_174_947, zippedBytes: 1 }, layers: [{ unzippedBytes: 6_000_000 }, { unzippedBytes: 969_053 }] });
    const unzipped = check(checks, 'unzipped-size');
    expect(unzipped.usedBytes).toBe(262_144_000);
    expect(unzipped.message).toBe('Unzipped size must be smaller than 255174947 bytes');
    expect(unzipped.parts).toEqual([
      { label: 'code', bytes: 255_174_947 },
      { label: 'layer 1', bytes: 6_000_000 },
      { label: 'layer 2', bytes: 969_053 },
    ]);
    expect(fitsTarget(checks)).toBe(false);
  });

  it('counts base64 growth of the CreateFunction request, so 50 MiB is only approximate', () => {
    const checks = measure({ code: { unzippedBytes: 60_000_000, zippedBytes: 52_428_799 } });
    expect(check(checks, 'zipped-size').fits).toBe(true);
    const request = check(checks, 'createfunction-request');
    expect(request.usedBytes).toBe(69_905_068);
    expect(request.fits).toBe(false);
    expect(request.message).toBe('Request must be smaller than 69905067 bytes for the CreateFunction operation');
  });

  it('applies the zipped limits only to direct upload, and the 250 MB limit not to images', () => {
    const big = { unzippedBytes: 200_000_000, zippedBytes: 80_000_000 };
    const direct = measureLimits({ code: big, target: 'zip-direct' });
    expect(fitsTarget(direct)).toBe(false);
    expect(failedChecks(direct).map((c) => c.id)).toEqual(['zipped-size', 'createfunction-request']);
    const s3 = measureLimits({ code: big, target: 'zip-s3' });
    expect(check(s3, 'zipped-size')).toMatchObject({ fits: false, applies: false });
    expect(fitsTarget(s3)).toBe(true);
    // The same checks answer for another target.
    expect(fitsTarget(direct, 'zip-s3')).toBe(true);
    const huge = { unzippedBytes: 300_000_000, zippedBytes: 100_000_000 };
    expect(fitsTarget(measureLimits({ code: huge, target: 'image' }))).toBe(true);
    expect(fitsTarget(measureLimits({ code: huge, target: 'zip-s3' }))).toBe(false);
  });

  it('caps an image at 10 GiB, layers and base image included, inclusive', () => {
    const tenGiB = 10 * 1024 ** 3;
    const at = measureLimits({ code: { unzippedBytes: tenGiB - 1_000, zippedBytes: 0 }, layers: [{ unzippedBytes: 500 }], imageBaseBytes: 500, target: 'image' });
    expect(check(at, 'image-size')).toMatchObject({ limitBytes: 10_737_418_240, usedBytes: tenGiB, fits: true, headroom: 0 });
    const over = measureLimits({ code: { unzippedBytes: tenGiB + 1, zippedBytes: 0 }, target: 'image' });
    expect(check(over, 'image-size').fits).toBe(false);
    expect(check(over, 'image-size').messageSource).toBe('lambdafit');
    expect(fitsTarget(over)).toBe(false);
  });

  it('allows five layers and flags a sixth, for zip targets only', () => {
    const layers = Array.from({ length: 6 }, () => ({ unzippedBytes: 1 }));
    expect(check(measure({ layers: layers.slice(0, 5) }), 'layer-count').fits).toBe(true);
    const six = measure({ layers });
    expect(check(six, 'layer-count')).toMatchObject({ used: 6, limit: 5, fits: false, unit: 'count' });
    expect(check(measureLimits({ code: small, layers, target: 'image' }), 'layer-count').applies).toBe(false);
  });
});

describe('measureLimits: configuration', () => {
  it('assumes Lambda defaults for missing settings and says so', () => {
    const checks = measure({});
    expect(check(checks, 'memory-size')).toMatchObject({ used: 128, assumedDefault: true, fits: true, unit: 'MB', min: 128, limit: 10_240 });
    expect(check(checks, 'ephemeral-storage')).toMatchObject({ used: 512, assumedDefault: true, fits: true });
    expect(check(checks, 'timeout')).toMatchObject({ used: 3, assumedDefault: true, fits: true, unit: 'seconds' });
  });

  it("reports memory outside 128–10,240 MB with AWS's constraint text, including an account held at 3,008", () => {
    expect(check(measure({ memorySize: 10_240 }), 'memory-size').fits).toBe(true);
    expect(check(measure({ memorySize: 10_241 }), 'memory-size').message).toBe(
      "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240",
    );
    expect(check(measure({ memorySize: 64 }), 'memory-size').message).toBe(
      "'MemorySize' value failed to satisfy constraint: Member must have value greater than or equal to 128",
    );
    const held = check(measure({ memorySize: 4_096, memoryMaxMB: 3_008 }), 'memory-size');
    expect(held).toMatchObject({ limit: 3_008, fits: false, messageSource: 'aws' });
    expect(held.message).toBe("'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 3008");
  });

  it('checks /tmp and timeout ranges inclusively', () => {
    expect(check(measure({ ephemeralStorage: 10_240, timeout: 900 }), 'ephemeral-storage').fits).toBe(true);
    expect(check(measure({ timeout: 900 }), 'timeout').fits).toBe(true);
    expect(check(measure({ timeout: 901 }), 'timeout').fits).toBe(false);
    expect(check(measure({ timeout: 0 }), 'timeout').message).toContain('greater than or equal to 1');
    expect(check(measure({ ephemeralStorage: 511 }), 'ephemeral-storage').fits).toBe(false);
  });

  it('checks bytes written to /tmp against the configured size', () => {
    const fits = check(measure({ ephemeralStorage: 1_024, tmpUsedBytes: 1_024 * 1024 * 1024 }), 'tmp-usage');
    expect(fits).toMatchObject({ limitBytes: 1_073_741_824, fits: true });
    const full = check(measure({ tmpUsedBytes: 600 * 1024 * 1024 }), 'tmp-usage');
    expect(full).toMatchObject({ limitBytes: 536_870_912, fits: false });
    expect(full.message).toMatch(/^ENOSPC: no space left on device/);
  });

  it('measures the environment as UTF-8 bytes of its JSON and never quotes the values', () => {
    // {"K":"…"} is 8 bytes of syntax around the value; "é" is 2 bytes in UTF-8.
    const value = (n: number) => 'é'.repeat(n / 2);
    const exact = { K: value(4_096 - 8) };
    expect(check(measure({ environment: exact }), 'environment-size')).toMatchObject({ usedBytes: 4_096, fits: true });
    const over = check(measure({ environment: { K: value(4_096 - 8), SECRET: 'hunter2' } }), 'environment-size');
    expect(over.fits).toBe(false);
    expect(over.message).toBe(
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"K":"***","SECRET":"***"}',
    );
    expect(over.message).not.toContain('hunter2');
    expect(check(measure({}), 'environment-size')).toMatchObject({ usedBytes: 0, assumedDefault: true });
  });
});

describe('measureLimits: payloads', () => {
  it('checks only the payloads it is given, with AWS texts and the 100-byte response difference', () => {
    expect(measure({}).some((c) => c.id.endsWith('payload'))).toBe(false);
    const checks = measure({ payloads: { syncRequestBytes: 6_291_457, syncResponseBytes: 6_291_556, asyncRequestBytes: 1_048_577, streamedResponseBytes: 1 } });
    expect(check(checks, 'sync-request-payload').message).toBe(
      '6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)',
    );
    expect(check(checks, 'sync-response-payload').fits).toBe(true);
    expect(check(checks, 'async-request-payload').message).toBe('1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)');
    expect(check(checks, 'streamed-response').fits).toBe(true);
    const response = check(measure({ payloads: { syncResponseBytes: 6_291_557 } }), 'sync-response-payload');
    expect(response.message).toBe('Response payload size exceeded maximum allowed payload size (6291556 bytes).');
  });
});
