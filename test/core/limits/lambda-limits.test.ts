import { describe, expect, it } from 'vitest';
import { TARGETS } from '../../../src/core/config/config-schema.js';
import { environmentBytes, maskedEnvironmentJson } from '../../../src/core/limits/environment-bytes.js';
import { LAMBDA_LIMITS, lambdaLimit } from '../../../src/core/limits/lambda-limits.js';

describe('LAMBDA_LIMITS', () => {
  it('holds the exact figures of lambda-facts §1', () => {
    const value = (id: Parameters<typeof lambdaLimit>[0]) => lambdaLimit(id).value;
    expect(value('zipped-size')).toBe(52_428_800);
    expect(value('unzipped-size')).toBe(262_144_000);
    expect(value('image-size')).toBe(10_737_418_240);
    expect(value('layer-count')).toBe(5);
    expect(value('createfunction-request')).toBe(69_905_067);
    expect(value('environment-size')).toBe(4_096);
    expect(value('sync-request-payload')).toBe(6_291_456);
    expect(value('sync-response-payload')).toBe(6_291_556);
    expect(value('async-request-payload')).toBe(1_048_576);
    expect(value('streamed-response')).toBe(209_715_200);
    expect(lambdaLimit('memory-size')).toMatchObject({ min: 128, value: 10_240, default: 128, unit: 'MB' });
    expect(lambdaLimit('ephemeral-storage')).toMatchObject({ min: 512, value: 10_240, default: 512, unit: 'MB' });
    expect(lambdaLimit('timeout')).toMatchObject({ min: 1, value: 900, default: 3, unit: 'seconds' });
    expect(lambdaLimit('createfunction-request').source).toContain('70,167,211');
  });

  it('has unique ids, known targets and only known message placeholders', () => {
    const ids = LAMBDA_LIMITS.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const limit of LAMBDA_LIMITS) {
      expect(limit.appliesTo.every((t) => (TARGETS as readonly string[]).includes(t))).toBe(true);
      for (const template of [limit.messageTemplate, limit.belowMinMessageTemplate]) {
        for (const [, name] of (template ?? '').matchAll(/\{(\w+)\}/g)) expect(['limit', 'min', 'used', 'budget', 'measured']).toContain(name);
      }
      if (limit.messageTemplate) expect(limit.messageSource).toBeDefined();
    }
  });

  it('throws on an id outside the table', () => {
    expect(() => lambdaLimit('nope' as never)).toThrow(/unknown Lambda limit/);
  });
});

describe('environmentBytes', () => {
  it('counts all JSON syntax and UTF-8 bytes', () => {
    expect(environmentBytes({})).toBe(2);
    expect(environmentBytes({ A: 'b' })).toBe('{"A":"b"}'.length);
    expect(environmentBytes({ A: '€' })).toBe(8 + 3); // € is 3 bytes in UTF-8
    expect(environmentBytes({ A: 'x"y' })).toBe('{"A":"x\\"y"}'.length);
  });

  it('masks every value', () => {
    expect(maskedEnvironmentJson({ TOKEN: 'secret', B: '' })).toBe('{"TOKEN":"***","B":"***"}');
  });
});
