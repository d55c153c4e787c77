import { describe, expect, it } from 'vitest';
import { requestedIsolation } from '../../../src/core/sandbox/host-capabilities.js';

describe('requestedIsolation', () => {
  it('reads LAMBDAFIT_SANDBOX, auto when unset, and refuses anything else with the accepted values', () => {
    expect(requestedIsolation({})).toBe('auto');
    expect(requestedIsolation({ LAMBDAFIT_SANDBOX: '' })).toBe('auto');
    expect(requestedIsolation({ LAMBDAFIT_SANDBOX: 'portable' })).toBe('portable');
    expect(requestedIsolation({ LAMBDAFIT_SANDBOX: 'kernel' })).toBe('kernel');
    expect(() => requestedIsolation({ LAMBDAFIT_SANDBOX: 'docker' })).toThrow(/must be auto, kernel or portable, got "docker"/);
  });
});
